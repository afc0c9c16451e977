import { describe, expect, it } from 'vitest';
import type { NetworkConfig } from '@dl4ts/core';
import { nodeWorkers } from './node';
import { WorkerError } from './errors';
import { ParallelTrainer } from './trainer';
import { FAULT_PLUGIN_URL } from './test-fixtures';
import { classification, firstDifference, flatState, network } from './test-support';

const PLUGINS = ['@dl4ts/layers', '@dl4ts/losses', '@dl4ts/updaters', FAULT_PLUGIN_URL];

/** Worker 1 fails at its `step`-th training step (never, by default). */
const config = (mode: 'throw' | 'exit', step = 1e9): NetworkConfig => ({
  seed: 3,
  input: 6,
  defaults: { weightInit: 'xavier', updater: { type: 'updaters/nesterovs', learningRate: 0.05 } },
  layers: [
    { type: 'layers/dense', nOut: 8, activation: { type: 'test-fault/fail-at', step, worker: 1, mode } },
    { type: 'layers/output', nOut: 3, activation: 'softmax', loss: 'mcxent' },
  ],
});

// 64 examples in minibatches of 8: 4 rounds per epoch on 2 workers, averaged every 2 rounds. A
// failure at a worker's 6th step falls in epoch 2, after the average of round 4.
const data = classification(64, 6, 3, 5);
const options = { transport: nodeWorkers(), workers: 2, averagingFrequency: 2, backend: 'cpu', plugins: PLUGINS } as const;

/** The state after one clean epoch: what the main network must hold after the failure. */
async function reference(): Promise<Float32Array> {
  const net = network(config('throw'));
  const trainer = new ParallelTrainer(net, options);
  try {
    await trainer.fit(data, { epochs: 1, batchSize: 8 });
    return await flatState(net);
  } finally {
    await trainer.close();
    net.dispose();
  }
}
const expected = reference();

describe('worker failures', () => {
  for (const mode of ['throw', 'exit'] as const) {
    it(`a worker that ${mode === 'throw' ? 'throws' : 'calls process.exit'} mid-training: a WorkerError naming it, the last average intact, every worker gone`, async () => {
      const net = network(config(mode, 6));
      const trainer = new ParallelTrainer(net, options);
      try {
        const error = await trainer.fit(data, { epochs: 2, batchSize: 8 }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(WorkerError);
        const failure = error as WorkerError;
        expect(failure.worker).toBe(1);
        expect(failure.phase).toBe('train');
        expect(failure.message).toContain('worker 1 failed while training');
        expect(failure.message).toContain('iteration 4, the last completed averaging step');
        if (mode === 'throw') expect(failure.message).toContain('injected failure at step 6');
        else expect(failure.exitCode).toBe(7);
        expect([net.iteration, net.epoch]).toEqual([4, 1]);
        expect(firstDifference(await flatState(net), await expected)).toBe(-1);
        expect(trainer.liveWorkers).toBe(0);
        await expect(trainer.fit(data, { epochs: 1, batchSize: 8 })).rejects.toThrow(/trainer is closed after a failure/);
      } finally {
        await trainer.close();
        net.dispose();
      }
    });
  }

  it("with onWorkerFailure: 'continue', training goes on with the remaining worker", async () => {
    const net = network(config('exit', 6));
    const trainer = new ParallelTrainer(net, { ...options, onWorkerFailure: 'continue' });
    try {
      const result = await trainer.fit(data, { epochs: 2, batchSize: 8 });
      expect(result.epochs).toBe(2);
      expect(result.workerFailures).toHaveLength(1);
      expect(result.workerFailures[0]?.worker).toBe(1);
      expect(trainer.liveWorkers).toBe(1);
      expect(net.epoch).toBe(2);
      expect(result.meanScores.every(Number.isFinite)).toBe(true);
      const [replica] = await trainer.workerStates();
      expect(firstDifference(replica as Float32Array, await flatState(net))).toBe(-1);
    } finally {
      await trainer.close();
      net.dispose();
    }
  });

  it('a worker that lacks a plugin fails at start with the missing keys and what to do', async () => {
    const net = network(config('throw'));
    const trainer = new ParallelTrainer(net, { ...options, plugins: ['@dl4ts/layers', '@dl4ts/losses', '@dl4ts/updaters'] });
    try {
      const error = (await trainer.fit(data, { epochs: 1, batchSize: 8 }).catch((e: unknown) => e)) as WorkerError;
      expect(error).toBeInstanceOf(WorkerError);
      expect(error.phase).toBe('start');
      expect(error.causeName).toBe('ArtifactError');
      expect(error.message).toMatch(/worker \d failed while starting: ArtifactError: .*test-fault\/fail-at/);
      expect(error.message).toContain('plugins option');
      expect(trainer.liveWorkers).toBe(0);
    } finally {
      await trainer.close();
      net.dispose();
    }
  });
});
