#!/usr/bin/env node
// dl4ts-worker: one worker process of a Redis training run (see runRedisWorker).
import { parseArgs } from 'node:util';
import { Dl4tsError } from '@dl4ts/core';
import { runRedisWorker } from '../worker-process';

const USAGE = `usage: dl4ts-worker --run NAME [--index N] [--redis URL] [--prefix P] [--lease-ms MS] [--coordinator-timeout-ms MS]
  --redis    Redis URL (default: the DL4TS_REDIS_URL environment variable; keep passwords there, not in arguments)
  --run      the run's name, as given to redisWorkers() (default: DL4TS_RUN)
  --index    this worker's index (default: JOB_COMPLETION_INDEX, as a Kubernetes Indexed Job sets it)`;

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Dl4tsError('DL4TS_CONFIG', `dl4ts-worker: ${name} must be a non-negative integer, received ${JSON.stringify(value)}\n${USAGE}`);
  return Number(value);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      redis: { type: 'string' },
      run: { type: 'string' },
      index: { type: 'string' },
      prefix: { type: 'string' },
      'lease-ms': { type: 'string' },
      'coordinator-timeout-ms': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const url = values.redis ?? process.env.DL4TS_REDIS_URL;
  const run = values.run ?? process.env.DL4TS_RUN;
  const index = integer('--index', values.index ?? process.env.JOB_COMPLETION_INDEX);
  if (url === undefined || run === undefined || index === undefined) {
    throw new Dl4tsError('DL4TS_CONFIG', `dl4ts-worker: missing ${[url === undefined && 'the Redis URL', run === undefined && 'the run name', index === undefined && 'the index'].filter(Boolean).join(', ')}\n${USAGE}`);
  }
  return runRedisWorker({
    url,
    run,
    index,
    ...(values.prefix !== undefined && { prefix: values.prefix }),
    ...(values['lease-ms'] !== undefined && { leaseMs: integer('--lease-ms', values['lease-ms']) }),
    ...(values['coordinator-timeout-ms'] !== undefined && { coordinatorTimeoutMs: integer('--coordinator-timeout-ms', values['coordinator-timeout-ms']) }),
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`dl4ts-worker: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    process.exit(2);
  },
);
