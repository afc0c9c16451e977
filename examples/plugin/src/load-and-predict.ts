// Loads a model saved by train-and-save in a process of its own and predicts the test set.
//
//   node dist/load-and-predict.js [model path, default: <tmpdir>/dl4ts-example-plugin.safetensors] [--continue 3] [--json out.json]
//
// --continue N trains N more epochs, exactly as the saving process would have (updater state and
// counters are in the file). --json writes the float32 results bit for bit (base64), for the
// package's end-to-end test.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { selectBackend } from '@dl4ts/core';
import { loadModel } from '@dl4ts/core/node';
import { cpuBackend } from '@dl4ts/backend-cpu';
import { DEFAULT_MODEL_PATH, exampleRegistry, paramsBase64, predictTestSet, testMse, toBase64, train, updaterStateBase64 } from './example-model';

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { continue: { type: 'string', default: '0' }, json: { type: 'string' } },
  });
  const more = Number(values.continue);
  if (!Number.isInteger(more) || more < 0) throw new Error(`--continue must be a non-negative integer, received ${JSON.stringify(values.continue)}`);
  const path = positionals[0] ?? DEFAULT_MODEL_PATH;
  await selectBackend('cpu', [cpuBackend()]);
  // The same registrations as the saving process: without registerExamplePlugin, loadModel throws
  // an ArtifactError naming every example/ key the file needs.
  const { network } = await loadModel(path, { registry: exampleRegistry() });
  const predictions = await predictTestSet(network);
  const report: Record<string, unknown> = {
    iteration: network.iteration,
    epoch: network.epoch,
    predictions: toBase64(predictions),
    updaterState: await updaterStateBase64(network),
  };
  console.log(`loaded ${path} (iteration ${network.iteration}, epoch ${network.epoch}); test MSE ${testMse(predictions).toFixed(4)}`);
  for (let i = 0; i < 3; i++) console.log(`  example ${i}: [${Array.from(predictions.subarray(2 * i, 2 * i + 2), (v) => v.toFixed(4)).join(', ')}]`);
  if (more > 0) {
    await train(network, more);
    const after = await predictTestSet(network);
    console.log(`after ${more} more epoch${more === 1 ? '' : 's'} (epoch ${network.epoch}): test MSE ${testMse(after).toFixed(4)}`);
    report.continued = { iteration: network.iteration, epoch: network.epoch, predictions: toBase64(after), params: await paramsBase64(network) };
  }
  if (values.json !== undefined) await writeFile(values.json, JSON.stringify(report));
  network.dispose();
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exitCode = 1;
});
