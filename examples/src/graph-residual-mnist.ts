// A residual MLP on MNIST as a ComputationGraph: two residual blocks, each two dense layers whose
// output is added to the block's input (a skip connection), then ReLU. Run:
//   pnpm --filter @dl4ts/examples residual -- [--backend auto|native|wasm|cpu] [--epochs 10] [--limit n]
import { ComputationGraph } from '@dl4ts/core';
import type { GraphConfig, GraphVertexConfig } from '@dl4ts/core';
import { epochReporter, exampleArgs, mnist, percent, setUp } from './graph-example-support';

const WIDTH = 256;

/** Block `i` reads `input`: dense (relu), dense (identity), added to `input`, then relu. */
function residualBlock(i: number, input: string): GraphVertexConfig[] {
  return [
    { name: `block${i}a`, type: 'layers/dense', nOut: WIDTH, activation: 'relu', inputs: [input] },
    { name: `block${i}b`, type: 'layers/dense', nOut: WIDTH, activation: 'identity', inputs: [`block${i}a`] },
    { name: `block${i}sum`, type: 'core/elementwise', op: 'add', inputs: [input, `block${i}b`] },
    { name: `block${i}`, type: 'layers/activation', activation: 'relu', inputs: [`block${i}sum`] },
  ];
}

export const RESIDUAL_MLP: GraphConfig = {
  seed: 42,
  inputs: { pixels: 784 },
  defaults: { weightInit: 'relu', updater: { type: 'updaters/adam', learningRate: 1e-3 }, l2: 1e-5 },
  vertices: [
    { name: 'stem', type: 'layers/dense', nOut: WIDTH, activation: 'relu', inputs: ['pixels'] },
    ...residualBlock(1, 'stem'),
    ...residualBlock(2, 'block1'),
    { name: 'digit', type: 'layers/output', nOut: 10, activation: 'softmax', loss: 'mcxent', weightInit: 'xavier', inputs: ['block2'] },
  ],
  outputs: ['digit'],
};

const args = exampleArgs(10);
const registry = await setUp(args.backend);
const { train, test } = await mnist(args);
const graph = new ComputationGraph(RESIDUAL_MLP, { registry }).init();
console.log(graph.summary());
const report = async (): Promise<string> => `test accuracy ${percent((await graph.evaluate(test, { batchSize: 1000 })).digit?.accuracy() ?? Number.NaN)}`;
await graph.fit(train, { epochs: args.epochs, batchSize: args.batch, listeners: [epochReporter(args.epochs, report)] });
console.log(`residual MLP: ${await report()} after ${graph.epoch} epochs`);
[train, test, graph].forEach((d) => d.dispose());
