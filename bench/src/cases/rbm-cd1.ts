// RBM CD-1 pretraining, 784-500 binary units, batch 100: samples/s of dl4ts's `rbm/rbm` layer
// through Network.pretrainLayer, beside the same CD-1 update written directly in tfjs-core ops
// (../rbm-models.ts), on wasm, in one process.
import { interleave, runCase } from '../harness';
import { mnistOrRandom } from '../data';
import { dl4tsRbm, tfjsCoreRbm } from '../rbm-models';

await runCase('rbm-cd1', async ({ quick, rounds, log }) => {
  const samples = quick ? 1000 : 6000;
  const { data, real } = await mnistOrRandom(samples);
  const contenders = [tfjsCoreRbm(data), dl4tsRbm(data)];
  const rows = await interleave(contenders, rounds(3), { log });
  for (const c of contenders) c.dispose();
  data.dispose();
  return {
    title: 'RBM CD-1 pretraining, 784-500 binary units, batch 100, SGD lr 0.1',
    unit: 'samples/s',
    rows,
    notes: [`${samples} ${real ? 'MNIST' : 'random (MNIST not found)'} images per round (one pretraining epoch).`],
  };
});
