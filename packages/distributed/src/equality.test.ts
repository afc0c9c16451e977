import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { AnyBatch, BatchSource, Model, NetworkConfig } from '@dl4ts/core';
import { CollectScoresListener, Network } from '@dl4ts/core';
import { ParallelTrainer, StateLayout, type WorkerTransport } from '@dl4ts/parallel';
import { nodeWorkers, openData } from '@dl4ts/parallel/node';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';
import { registryWith } from '@dl4ts/core/testing';
import { redisWorkers } from './redis-transport';
import { startLocalWorkers } from './local-workers';
import { DATA_FIXTURE_URL, PACKAGE_DIR } from './test-support';
import { redisServerMissing, startRedisServer, type LocalRedisServer } from './testing';

const missing = redisServerMissing();
const mlp: NetworkConfig = {
  seed: 21,
  input: 6,
  defaults: { weightInit: 'xavier', updater: { type: 'updaters/adam', learningRate: 0.01 }, l2: 1e-4 },
  layers: [
    { type: 'layers/dense', nOut: 30, activation: 'tanh', dropout: 0.9 },
    { type: 'layers/output', nOut: 3, activation: 'softmax', loss: 'mcxent' },
  ],
};
const spec = { module: DATA_FIXTURE_URL, export: 'classificationData', options: { n: 70, features: 6, classes: 3, seed: 5 } }; // 9 minibatches: with 2 workers the last window has one

function network(): Network {
  return new Network(mlp, { registry: registryWith(registerLayers, registerLosses, registerUpdaters), onWarning: () => undefined }).init();
}

async function train(transport: WorkerTransport, workers: number, data: BatchSource<AnyBatch>) {
  const net = network();
  const scores = new CollectScoresListener({ every: 1 });
  const trainer = new ParallelTrainer<Model>(net, { transport, workers, averagingFrequency: 2, backend: 'cpu' });
  try {
    const result = await trainer.fit(data, { epochs: 2, batchSize: 8, listeners: [scores] });
    const state = await new StateLayout(net).read(net, true);
    return { result, scores: scores.scores, state, counters: [net.iteration, net.epoch] };
  } finally {
    await trainer.close();
    net.dispose();
  }
}

describe.skipIf(missing !== undefined)(`worker processes over Redis${missing === undefined ? '' : ` (skipped: ${missing})`}`, () => {
  let redis: LocalRedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  // The state (parameters and Adam's two moments) is 909 floats: chunks of 256 floats make 4, so
  // with sharded reduction every worker averages a share (3 workers: 2, 1 and 1 chunks).
  for (const [workers, reduction] of [[2, 'sharded'], [3, 'sharded'], [2, 'star'], [3, 'star']] as const) {
    it(`${workers} worker processes (${reduction} reduction) give the same bits as ParallelTrainer with ${workers} worker threads`, async () => {
      const data = await openData(spec);
      const tensors = tf.memory().numTensors;
      try {
        const expected = await train(nodeWorkers(), workers, data);
        const run = `equality-${workers}-${reduction}`;
        const processes = startLocalWorkers({ url: redis.url, run, workers, cwd: PACKAGE_DIR });
        const transport = redisWorkers({ url: redis.url, run, startTimeoutMs: 30_000, reduction, chunkBytes: 1024 });
        const actual = await train(transport, workers, data);
        const codes = await Promise.all(processes.map((p) => p.exited));
        expect(codes, processes.map((p) => p.output()).join('\n')).toEqual(processes.map(() => 0));
        expect(actual.result.meanScores).toEqual(expected.result.meanScores);
        expect(actual.scores).toEqual(expected.scores);
        expect(actual.counters).toEqual(expected.counters);
        expect(Buffer.from(actual.state.buffer).equals(Buffer.from(expected.state.buffer))).toBe(true);
        expect(transport.traffic.sentBytes).toBeGreaterThan(0);
        // Nothing is left on the server: chunks, averages, barriers, lists and leases are all gone.
        const client = new Redis(redis.url);
        try {
          expect(await client.keys(`dl4ts:${run}:*`)).toEqual([]);
        } finally {
          client.disconnect();
        }
        expect(tf.memory().numTensors).toBe(tensors);
      } finally {
        data.dispose();
      }
    });
  }
});
