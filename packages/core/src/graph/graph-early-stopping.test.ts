import { describe, expect, it } from 'vitest';
import { fitEarlyStopping } from '../early-stopping/early-stopping';
import { lossCalculator, regressionCalculator } from '../early-stopping/score-calculators';
import { maxEpochs } from '../early-stopping/termination';
import { evaluateRegression, heldOutScore } from '../evaluate';
import { X, Y, registry } from '../io/artifact-test-support';
import { ComputationGraph } from './computation-graph';
import type { GraphConfig } from './graph-config';
import { MultiDataSet } from './multi-data-set';

// One trunk, two regression heads: each output's column of Y.
const CONFIG: GraphConfig = {
  seed: 8,
  inputs: { x: 3 },
  defaults: { updater: { type: 'ts/momentum', lr: 0.05 } },
  vertices: [
    { name: 'trunk', type: 'ts/dense', nOut: 6, inputs: ['x'] } as never,
    { name: 'first', type: 'ts/out', nOut: 1, inputs: ['trunk'] } as never,
    { name: 'second', type: 'ts/out', nOut: 1, inputs: ['trunk'] } as never,
  ],
  outputs: ['first', 'second'],
  lossWeights: { second: 2 },
};

const split = (rows: number[][], from: number, to: number) => {
  const part = rows.slice(from, to);
  return MultiDataSet.from({ features: [part], labels: [Y.slice(from, to).map((y) => [y[0] as number]), Y.slice(from, to).map((y) => [y[1] as number])] });
};

describe('early stopping and evaluation of a graph', () => {
  it('keeps the best graph by held-out loss and scores each output', async () => {
    const graph = new ComputationGraph(CONFIG, { registry: registry() }).init();
    const [train, valid] = [split(X, 0, 16), split(X, 16, 24)];
    const result = await fitEarlyStopping(graph, train, { epochConditions: [maxEpochs(6)], scoreCalculator: lossCalculator(valid, { batchSize: 3 }) }, { batchSize: 4 });
    expect(result.totalEpochs).toBe(6);
    const best = await result.bestModel();
    expect(best).toBeInstanceOf(ComputationGraph);
    expect(best.epoch).toBe(result.bestModelEpoch);
    // The held-out loss is the weighted sum of the heads' mean losses (ts/out: mean squared error).
    const [first, second] = [await evaluateRegression(best, valid, { output: 'first' }), await evaluateRegression(best, valid, { output: 1 })];
    const expected = first.meanSquaredError(0) + 2 * second.meanSquaredError(0);
    expect(Math.abs(result.bestModelScore - expected)).toBeLessThanOrEqual(1e-5 * expected);
    expect(Math.abs((await heldOutScore(best, valid)) - result.bestModelScore)).toBeLessThanOrEqual(1e-6 * expected);
    expect(await regressionCalculator(valid, 'mse', { output: 'second' }).calculate(best)).toBeCloseTo(second.meanSquaredError(0), 6);
    await expect(evaluateRegression(best, valid, { output: 'third' })).rejects.toThrow('no output named "third"; outputs: first, second');
    for (const m of [graph, best, train, valid]) m.dispose();
  });
});
