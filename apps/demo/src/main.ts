#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { selectBackend } from '@dl4ts/core';
import { cpuBackend } from '@dl4ts/backend-cpu';
import { cudaBackend } from '@dl4ts/backend-gpu';
import { wasmBackend } from '@dl4ts/backend-wasm';
import { trainSoftmaxRegression } from './softmax-regression';

const HELP = `dl4ts demo: trains softmax regression (one dense layer, softmax, cross-entropy, SGD)
on a generated 3-class data set and prints what it learned.

Usage: pnpm start [-- options]
  --backend <auto|gpu|wasm|cpu>  default auto: gpu, then wasm, then cpu
  --epochs <n>                   default 20
  --seed <n>                     default 42
  -h, --help`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string', default: 'auto' },
      epochs: { type: 'string', default: '20' },
      seed: { type: 'string', default: '42' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const epochs = Number(values.epochs);
  const seed = Number(values.seed);
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`--epochs must be a positive integer, received "${values.epochs}"`);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, received "${values.seed}"`);
  const preference = values.backend === 'auto' ? ['gpu', 'wasm', 'cpu'] : [values.backend as string];

  const chosen = await selectBackend(preference, [cudaBackend(), wasmBackend(), cpuBackend()]);
  console.log(`backend: ${chosen.name} (tfjs "${chosen.tfjsName}")`);
  for (const skip of chosen.skipped) console.log(`  skipped ${skip.name}: ${skip.reason.split('\n')[0]}`);

  console.log(`\ntraining softmax regression, 4 features -> 3 classes, 600 generated examples, ${epochs} epochs, seed ${seed}`);
  const started = performance.now();
  const result = await trainSoftmaxRegression({ seed, epochs });
  const seconds = (performance.now() - started) / 1000;
  const scores = result.meanScores;
  console.log(`loss: ${scores[0]?.toFixed(4)} (epoch 1) -> ${scores[scores.length - 1]?.toFixed(4)} (epoch ${scores.length}), ${seconds.toFixed(2)} s`);
  console.log(`train accuracy: ${(100 * result.trainAccuracy).toFixed(2)}%`);
  console.log(`test accuracy:  ${(100 * result.testAccuracy).toFixed(2)}%`);
  console.log(`\ntest confusion matrix:\n${result.confusion}`);
  console.log('\nlearned weights W (rows: features, columns: classes):');
  for (let f = 0; f < 4; f++) console.log('  ' + Array.from(result.weights.subarray(f * 3, f * 3 + 3), (v) => v.toFixed(4).padStart(8)).join(' '));
  console.log('biases b: ' + Array.from(result.biases, (v) => v.toFixed(4)).join(' '));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exitCode = 1;
});
