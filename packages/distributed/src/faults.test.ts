import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IterationInfo, Model, NetworkConfig, TrainingListener } from '@dl4ts/core';
import { Network } from '@dl4ts/core';
import { ParallelTrainer, StateLayout, WorkerError, type SpecSource } from '@dl4ts/parallel';
import { openData } from '@dl4ts/parallel/node';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';
import { registryWith } from '@dl4ts/core/testing';
import { startLocalWorkers, type LocalWorker } from './local-workers';
import { redisWorkers } from './redis-transport';
import { DATA_FIXTURE_URL, PACKAGE_DIR } from './test-support';
import { redisServerMissing, startRedisServer, type LocalRedisServer } from './testing';

const missing = redisServerMissing();
const LEASE_MS = 900;
const config: NetworkConfig = {
  seed: 3,
  input: 6,
  defaults: { updater: { type: 'updaters/sgd', learningRate: 0.05 } },
  layers: [
    { type: 'layers/dense', nOut: 16, activation: 'tanh' },
    { type: 'layers/output', nOut: 3, activation: 'softmax', loss: 'mcxent' },
  ],
};
const spec = { module: DATA_FIXTURE_URL, export: 'classificationData', options: { n: 480, features: 6, classes: 3, seed: 2 } };

function network(): Network {
  return new Network(config, { registry: registryWith(registerLayers, registerLosses, registerUpdaters), onWarning: () => undefined }).init();
}

const sameBits = (a: Float32Array, b: Float32Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** Calls `action` once, at the end of iteration `at`. */
function atIteration(at: number, action: (info: IterationInfo<Model>) => void | Promise<void>): TrainingListener<Model> {
  return { onIterationEnd: (info) => (info.iteration === at ? action(info) : undefined) };
}

describe.skipIf(missing !== undefined)(`faults across processes${missing === undefined ? '' : ` (skipped: ${missing})`}`, () => {
  let redis: LocalRedisServer;
  let data: SpecSource;
  beforeAll(async () => {
    redis = await startRedisServer();
    data = await openData(spec);
  });
  afterAll(async () => {
    data?.dispose();
    await redis?.stop();
  });

  const start = (run: string, count: number, onWorkerFailure: 'stop' | 'continue' = 'stop') => {
    const workers = startLocalWorkers({ url: redis.url, run, workers: count, leaseMs: LEASE_MS, cwd: PACKAGE_DIR });
    const net = network();
    const trainer = new ParallelTrainer<Model>(net, { transport: redisWorkers({ url: redis.url, run, leaseMs: LEASE_MS, startTimeoutMs: 30_000, roundTimeoutMs: 20_000 }), workers: count, averagingFrequency: 2, backend: 'cpu', onWorkerFailure });
    return { workers, net, trainer };
  };
  const exitCodes = (workers: readonly LocalWorker[]) => Promise.all(workers.map((w) => w.exited));

  it('a worker killed with SIGKILL fails fit with a WorkerError naming it within the lease deadline; the others exit', async () => {
    const { workers, net, trainer } = start('kill-stop', 2);
    let killedAt = 0;
    const kill = atIteration(3, () => {
      killedAt = Date.now();
      (workers[1] as LocalWorker).child.kill('SIGKILL');
    });
    try {
      const failure = await trainer.fit(data, { epochs: 3, batchSize: 8, listeners: [kill] }).catch((e: unknown) => e);
      const noticedAfter = Date.now() - killedAt;
      expect(failure).toBeInstanceOf(WorkerError);
      expect((failure as WorkerError).worker).toBe(1);
      expect((failure as WorkerError).message).toMatch(/worker 1 failed while training: .*lease .* expired: no heartbeat for more than 900 ms/);
      // The lease lives 900 ms after its last renewal (at most 300 ms before the kill), checked every 300 ms.
      // Up to 3 s more for a loaded machine's timers and process scheduling.
      expect(noticedAfter).toBeLessThan(LEASE_MS + 2 * (LEASE_MS / 3) + 3000);
      expect(net.iteration).toBeGreaterThanOrEqual(3); // the last completed average
    } finally {
      await trainer.close();
      net.dispose();
    }
    const codes = await exitCodes(workers);
    expect(codes, workers.map((w) => w.output()).join('\n')).toEqual([0, null]);
  });

  it("with onWorkerFailure: 'continue' training completes on the survivors and the result lists the lost worker", async () => {
    const { workers, net, trainer } = start('kill-continue', 3, 'continue');
    const kill = atIteration(4, () => void (workers[2] as LocalWorker).child.kill('SIGKILL'));
    try {
      const result = await trainer.fit(data, { epochs: 2, batchSize: 8, listeners: [kill] });
      expect(result.epochs).toBe(2);
      expect(result.meanScores.every(Number.isFinite)).toBe(true);
      expect(result.workerFailures.map((f) => [f.worker, f.phase])).toEqual([[2, 'train']]);
      expect(trainer.liveWorkers).toBe(2);
      expect(net.epoch).toBe(2);
      // 60 minibatches per epoch: 20 rounds of 3, then 30 rounds of 2 once worker 2 is gone (its undone minibatches skipped).
      expect(net.iteration).toBeGreaterThan(40);
    } finally {
      await trainer.close();
      net.dispose();
    }
    const codes = await exitCodes(workers);
    expect(codes, workers.map((w) => w.output()).join('\n')).toEqual([0, 0, null]);
  });

  it('a restarted worker rejoins at the next averaging window with the current parameters, and the run completes with it', async () => {
    const { workers, net, trainer } = start('rejoin', 3, 'continue');
    let replacement: LocalWorker | undefined;
    const restart = atIteration(3, async () => {
      const killed = workers[1] as LocalWorker;
      killed.child.kill('SIGKILL');
      await killed.exited;
      [replacement] = startLocalWorkers({ url: redis.url, run: 'rejoin', workers: [1], leaseMs: LEASE_MS, cwd: PACKAGE_DIR });
    });
    // Training this small net is faster than starting a process: hold the announcements until the
    // replacement has joined the session.
    const deadline = Date.now() + 30_000;
    const epochEnds: number[] = [];
    const wait: TrainingListener<Model> = {
      onIterationEnd: async () => {
        while (replacement !== undefined && !replacement.output().includes('joined coordinator session') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      },
      onEpochEnd: (info) => void epochEnds.push(info.iteration),
    };
    try {
      // A run that stalls fails here with what every process printed, not at the test's timeout.
      let stall: ReturnType<typeof setTimeout> | undefined;
      const stalled = new Promise<never>((_, reject) => {
        stall = setTimeout(() => reject(new Error(`stalled at iteration ${net.iteration}, ${trainer.liveWorkers} live workers:\n${[...workers, ...(replacement === undefined ? [] : [replacement])].map((w) => w.output()).join('\n')}`)), 60_000);
      });
      const result = await Promise.race([trainer.fit(data, { epochs: 4, batchSize: 8, listeners: [restart, wait] }), stalled]).finally(() => clearTimeout(stall));
      expect(result.epochs).toBe(4);
      expect(result.workerFailures.map((f) => f.worker)).toEqual([1]);
      expect(trainer.liveWorkers).toBe(3);
      // 60 minibatches per epoch: 20 rounds on three workers, 30 on two. The replacement joins at a
      // window boundary once its replica is built (in epoch 2 here, given a slow machine epoch 3);
      // the last epoch runs on all three.
      expect(epochEnds.map((end, e) => end - (epochEnds[e - 1] ?? 0)).slice(1)).toEqual([expect.any(Number), expect.any(Number), 20]);
      // Every replica, the replacement included, holds the main network's bits.
      const main = await new StateLayout(net).read(net, true);
      const states = await trainer.workerStates();
      expect(states).toHaveLength(3);
      for (const state of states) expect(sameBits(state, main)).toBe(true);
    } finally {
      await trainer.close();
      net.dispose();
    }
    expect(replacement).toBeDefined();
    const codes = await exitCodes([...workers, replacement as LocalWorker]);
    expect(codes, [...workers, replacement as LocalWorker].map((w) => w.output()).join('\n')).toEqual([0, null, 0, 0]);
    expect((replacement as LocalWorker).output()).toMatch(/joined coordinator session/);
  });

  it('Redis stopped mid-run: fit fails with a typed error within the retry budget, and every worker process exits', async () => {
    const own = await startRedisServer();
    const run = 'redis-stops';
    const workers = startLocalWorkers({ url: own.url, run, workers: 2, leaseMs: LEASE_MS, cwd: PACKAGE_DIR, retries: 3, maxBackoffMs: 200 });
    const net = network();
    const trainer = new ParallelTrainer<Model>(net, { transport: redisWorkers({ url: own.url, run, leaseMs: LEASE_MS, retries: 3, maxBackoffMs: 200 }), workers: 2, averagingFrequency: 2, backend: 'cpu' });
    let stoppedAt = 0;
    const stop = atIteration(3, async () => {
      stoppedAt = Date.now();
      await own.stop(true);
    });
    try {
      const failure = await trainer.fit(data, { epochs: 5, batchSize: 8, listeners: [stop] }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(WorkerError);
      expect((failure as WorkerError).causeName).toBe('RedisUnavailableError');
      expect((failure as WorkerError).message).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable/);
      expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    } finally {
      await trainer.close();
      net.dispose();
    }
    const codes = await Promise.race([exitCodes(workers), new Promise((resolve) => setTimeout(() => resolve('still running'), 15_000))]);
    expect(codes, workers.map((w) => w.output()).join('\n')).toEqual([3, 3]);
  });
});
