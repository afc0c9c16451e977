import { describe, expect, it } from 'vitest';
import type { NetworkConfig } from '@dl4ts/core';
import { Network, NonFiniteScoreError } from '@dl4ts/core';
import { nodeWorkers } from './node';
import { ParallelTrainer } from './trainer';
import { classification, flatState, network, testRegistry } from './test-support';

// SGD at learning rate 1e8 diverges within a few epochs (as in core's fit test); the coordinator
// reads each epoch's mean score and applies onNonFiniteScore as fit does.
const diverging: NetworkConfig = {
  seed: 5,
  input: 6,
  defaults: { updater: { type: 'updaters/sgd', learningRate: 1e8 } },
  layers: [{ type: 'layers/output', nOut: 3, activation: 'identity', loss: 'mse' }],
};

describe('ParallelTrainer with a diverging score', () => {
  it('stops at the first non-finite epoch and warns by default; restores the last finite epoch with "restore"; throws with "throw"', async () => {
    const data = classification(32, 6, 3, 2);
    const warnings: string[] = [];
    const net = new Network(diverging, { registry: testRegistry(), onWarning: (m) => warnings.push(m) }).init();
    const trainer = new ParallelTrainer(net, { transport: nodeWorkers(), workers: 2, averagingFrequency: 1, backend: 'cpu' });
    try {
      const stopped = await trainer.fit(data, { epochs: 10, batchSize: 16, shuffle: false });
      expect(stopped.stopReason).toMatch(/^training diverged: epoch \d+ has mean score (NaN|Infinity)/);
      expect(stopped.epochs).toBeLessThan(10);
      expect(stopped.meanScores.every(Number.isFinite)).toBe(true);
      expect(warnings).toEqual([stopped.stopReason]);
      expect(net.epoch).toBe(stopped.epochs);

      const fresh = network(diverging);
      const restoring = new ParallelTrainer(fresh, { transport: nodeWorkers(), workers: 2, averagingFrequency: 1, backend: 'cpu' });
      try {
        const restored = await restoring.fit(data, { epochs: 10, batchSize: 16, shuffle: false, onNonFiniteScore: 'restore' });
        expect(restored.stopReason).toContain('the parameters of the last finite epoch were restored');
        expect((await flatState(fresh)).every(Number.isFinite)).toBe(true);
        expect(fresh.epoch).toBe(restored.epochs);
        await expect(restoring.fit(data, { epochs: 1, onNonFiniteScore: 'sometimes' as never })).rejects.toThrow('ParallelTrainer.fit: onNonFiniteScore must be one of');
      } finally {
        await restoring.close();
        fresh.dispose();
      }

      const again = network(diverging);
      const throwing = new ParallelTrainer(again, { transport: nodeWorkers(), workers: 2, averagingFrequency: 1, backend: 'cpu' });
      try {
        await expect(throwing.fit(data, { epochs: 10, batchSize: 16, shuffle: false, onNonFiniteScore: 'throw' })).rejects.toThrow(NonFiniteScoreError);
      } finally {
        await throwing.close();
        again.dispose();
      }
    } finally {
      await trainer.close();
      data.dispose();
      net.dispose();
    }
  });
});
