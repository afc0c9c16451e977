// Trains the example network (all four plugin components) on the generated problem and saves it.
//
//   node dist/train-and-save.js [model path, default: <tmpdir>/dl4ts-example-plugin.safetensors] [--epochs 40]
import { parseArgs } from 'node:util';
import { Network, selectBackend } from '@dl4ts/core';
import { saveModel } from '@dl4ts/core/node';
import { cpuBackend } from '@dl4ts/backend-cpu';
import { DEFAULT_MODEL_PATH, EXAMPLE_CONFIG, exampleRegistry, predictTestSet, testMse, train } from './example-model';

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { epochs: { type: 'string', default: '40' } } });
  const epochs = Number(values.epochs);
  if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`--epochs must be a non-negative integer, received ${JSON.stringify(values.epochs)}`);
  const path = positionals[0] ?? DEFAULT_MODEL_PATH;
  await selectBackend('cpu', [cpuBackend()]);
  // Explicit registration: core, @dl4ts/layers and the plugin; the loading process must do the same.
  const network = new Network(EXAMPLE_CONFIG, { registry: exampleRegistry() }).init();
  console.log(`test MSE before training: ${testMse(await predictTestSet(network)).toFixed(4)}`);
  const result = await train(network, epochs, [
    {
      onEpochEnd: ({ epoch, meanScore }) => {
        if (epoch % 10 === 0 || epoch === epochs) console.log(`epoch ${epoch}: mean log-cosh ${meanScore.toFixed(4)}`);
      },
    },
  ]);
  console.log(`test MSE after ${result.epochs} epochs: ${testMse(await predictTestSet(network)).toFixed(4)}`);
  await saveModel(network, path);
  console.log(`saved ${path} (iteration ${network.iteration}, epoch ${network.epoch}); load it with: node dist/load-and-predict.js ${JSON.stringify(path)}`);
  network.dispose();
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exitCode = 1;
});
