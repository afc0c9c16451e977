// Saving, loading and (de)serialising models; normalisers; CSV, IDX, MNIST and gzip input.
import * as tf from '@tensorflow/tfjs-core';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  ArtifactError,
  ConfigError,
  DataFormatError,
  DataTooLargeError,
  Dl4tsError,
  ImageScaler,
  MinMax,
  Network,
  NotFittedError,
  Registry,
  Standardize,
  ValueError,
  csvDataSet,
  deserializeModel,
  gunzip,
  mnistDataSet,
  normalizerFromJSON,
  parseCsv,
  parseIdx,
  serializeModel,
} from '@dl4ts/core';
import { loadCsv, loadMnist, loadModel, saveModel, streamCsv } from '@dl4ts/core/node';
import { registerLayers } from '@dl4ts/layers';
import type { BadInputCase } from '../support';
import { X, registry, withNet } from '../support';

const dir = mkdtempSync(join(tmpdir(), 'dl4ts-bad-input-'));
const file = (name: string, content: string | Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
mkdirSync(join(dir, 'folder'));
const text = file('notes.txt', 'not a model\n');
const table = file('table.csv', '1,2,0\n3,4,1\n5,6,2\n');
const empty = file('empty.csv', '');
/** A model file's bytes, then cut or damaged. */
const modelBytes = () => withNet((net) => serializeModel(net));
const csv = (content: string, options: Record<string, unknown> = {}) => () => parseCsv(content, { source: 'c.csv', ...options });
const idx = (bytes: number[]) => () => parseIdx(Uint8Array.from(bytes), 'f.idx');
const withTensor = async (make: () => tf.Tensor, use: (t: tf.Tensor) => unknown) => {
  const t = make();
  try {
    await use(t);
  } finally {
    t.dispose();
  }
};

export const ioAndLoaderCases: BadInputCase[] = [
  // Model files.
  { name: 'loadModel of a missing path', run: () => loadModel(join(dir, 'none.safetensors'), { registry }), error: ArtifactError, received: join(dir, 'none.safetensors') },
  { name: 'loadModel of a text file', run: () => loadModel(text, { registry }), error: ArtifactError, received: text },
  { name: 'loadModel of a folder', run: () => loadModel(join(dir, 'folder'), { registry }), error: ArtifactError, received: join(dir, 'folder') },
  { name: 'saveModel into a missing folder', run: () => withNet((net) => saveModel(net, join(dir, 'missing', 'm.safetensors'))), error: Dl4tsError, received: join(dir, 'missing') },
  { name: 'saveModel onto a folder', run: () => withNet((net) => saveModel(net, join(dir, 'folder'))), error: Dl4tsError, received: join(dir, 'folder') },
  { name: 'deserializeModel(null)', run: () => deserializeModel(null as never, { registry }), error: ArtifactError, received: 'null' },
  { name: 'deserializeModel of an ArrayBuffer', run: () => deserializeModel(new ArrayBuffer(8) as never, { registry }), error: ArtifactError, received: 'ArrayBuffer' },
  { name: 'deserializeModel of a string', run: () => deserializeModel('model' as never, { registry }), error: ArtifactError, received: 'string' },
  { name: 'deserializeModel of no bytes', run: () => deserializeModel(new Uint8Array(0), { registry }), error: ArtifactError, received: '0' },
  { name: 'deserializeModel of random bytes', run: () => deserializeModel(Uint8Array.from({ length: 64 }, (_, i) => (i * 37) % 251), { registry }), error: ArtifactError, received: 'bytes' },
  { name: 'deserializeModel of a truncated file', run: async () => { const bytes = await modelBytes(); deserializeModel(bytes.subarray(0, bytes.length - 10), { registry }); }, error: ArtifactError, received: 'truncated' },
  {
    name: 'deserializeModel with a registry lacking the layers',
    run: async () => {
      const bare = new Registry();
      deserializeModel(await modelBytes(), { registry: bare });
    },
    error: ArtifactError,
    received: 'layers/dense',
  },
  {
    name: 'a model saved and loaded again, with its registry',
    run: async () => {
      const layersOnly = new Registry();
      registerLayers(layersOnly);
      const loaded = deserializeModel(await modelBytes(), { registry });
      loaded.network.dispose();
    },
    valid: 'core README: saving and loading',
  },
  { name: 'serializeModel of something that is not a model', run: () => serializeModel({} as never), error: ArtifactError, received: '{}' },
  { name: 'a network used after dispose', run: () => { const net = new Network({ seed: 1, input: 2, layers: [{ type: 'layers/output', nOut: 3, activation: 'softmax', loss: 'mcxent' }] }, { registry }).init(); net.dispose(); return withTensor(() => tf.tensor2d(X), (x) => net.output(x).dispose()); }, error: Dl4tsError, received: 'dispose' },
  // Normalisers.
  { name: 'Standardize.transform before fit', run: () => withTensor(() => tf.tensor2d(X), (x) => new Standardize().transform(x)), error: NotFittedError, received: 'transform' },
  { name: 'Standardize.toJSON before fit', run: () => new Standardize().toJSON(), error: NotFittedError, received: 'toJSON' },
  { name: 'MinMax range [1, 0]', run: () => new MinMax({ range: [1, 0] }), error: ConfigError, received: '[1, 0]' },
  { name: 'ImageScaler maxValue 0', run: () => new ImageScaler({ maxValue: 0 }), error: ConfigError, received: '0' },
  { name: 'normalizerFromJSON(null)', run: () => normalizerFromJSON(null), error: ConfigError, received: 'null' },
  { name: 'normalizerFromJSON of type __proto__', run: () => normalizerFromJSON({ type: '__proto__' }), error: ConfigError, received: '"__proto__"' },
  { name: 'normalizerFromJSON of an unknown type', run: () => normalizerFromJSON({ type: 'core/zscore' }), error: ConfigError, received: '"core/zscore"' },
  { name: 'Standardize.fromJSON with std 0', run: () => Standardize.fromJSON({ type: 'core/standardize', version: 1, mean: [0], std: [0] }), error: ConfigError, received: '0' },
  { name: 'Standardize.fromJSON with mean and std of other lengths', run: () => Standardize.fromJSON({ type: 'core/standardize', version: 1, mean: [0, 1], std: [1] }), error: ConfigError, received: '1' },
  { name: 'Standardize.fromJSON with a string mean', run: () => Standardize.fromJSON({ type: 'core/standardize', version: 1, mean: ['0'], std: [1] }), error: ConfigError, received: '"0"' },
  { name: 'a fitted Standardize on 3 columns applied to 2', run: async () => { const s = new Standardize(); await withTensor(() => tf.tensor2d([[1, 2, 3], [4, 5, 7]]), (t) => s.fit(t)); await withTensor(() => tf.tensor2d(X), (x) => s.transform(x).dispose()); }, error: Dl4tsError, received: '2' },
  { name: 'Standardize.fit of a plain object', run: () => new Standardize().fit({ rows: 3 } as never), error: ValueError, received: '{ rows: 3 }' },
  // CSV text.
  { name: 'CSV cell 0x10', run: csv('1,0x10\n'), error: DataFormatError, received: '"0x10"' },
  { name: 'CSV cell 1e39', run: csv('1,1e39\n'), error: DataFormatError, received: '"1e39"' },
  { name: 'CSV cell NaN', run: csv('1,NaN\n'), error: DataFormatError, received: '"NaN"' },
  { name: 'CSV cell 1_000', run: csv('1,1_000\n'), error: DataFormatError, received: '"1_000"' },
  { name: 'CSV empty cell', run: csv('1,\n'), error: DataFormatError, received: '""' },
  { name: 'CSV ragged line', run: csv('1,2\n3,4,5\n'), error: DataFormatError, received: '3 fields' },
  { name: 'CSV label 3 of 3 classes', run: csv('1,3\n', { labelColumn: 1, numClasses: 3 }), error: DataFormatError, received: 'label 3' },
  { name: 'CSV label 0.5 as a class', run: csv('1,0.5\n', { labelColumn: 1, numClasses: 3 }), error: DataFormatError, received: 'label 0.5' },
  { name: 'CSV labelColumn 5 of 2 fields', run: csv('1,2\n', { labelColumn: 5 }), error: ConfigError, received: '5' },
  { name: 'CSV numClasses 0', run: csv('1,2\n', { labelColumn: 1, numClasses: 0 }), error: ConfigError, received: '0' },
  { name: 'CSV delimiter empty', run: csv('1,2\n', { delimiter: '' }), error: ConfigError, received: '""' },
  { name: 'CSV skipLines -1', run: csv('1,2\n', { skipLines: -1 }), error: ConfigError, received: '-1' },
  { name: 'CSV with spaces, CRLF and blank lines', run: csv(' 1 , 2 \r\n\r\n3,4\r\n'), valid: 'core README: CSV' },
  { name: 'csvDataSet with no data lines', run: () => csvDataSet('h\n', { skipLines: 1, labelColumn: 0 }), error: ConfigError, received: '1' },
  { name: 'csvDataSet without labelColumn', run: () => csvDataSet('1,2\n', {} as never), error: ConfigError, received: 'labelColumn' },
  // CSV files.
  { name: 'loadCsv of a missing file', run: () => loadCsv(join(dir, 'none.csv'), { labelColumn: 0 }), error: Dl4tsError, received: join(dir, 'none.csv') },
  { name: 'loadCsv of a folder', run: () => loadCsv(join(dir, 'folder'), { labelColumn: 0 }), error: Dl4tsError, received: join(dir, 'folder') },
  { name: 'loadCsv of an empty file', run: () => loadCsv(empty, { labelColumn: 0 }), error: ConfigError, received: '0' },
  { name: 'loadCsv beyond maxBytes', run: () => loadCsv(table, { labelColumn: -1, maxBytes: 10 }), error: DataTooLargeError, received: '36 bytes' },
  { name: 'loadCsv maxBytes -1', run: () => loadCsv(table, { labelColumn: -1, maxBytes: -1 }), error: ValueError, received: '-1' },
  { name: 'loadCsv onProgress not a function', run: () => loadCsv(table, { labelColumn: -1, onProgress: 'log' as never }), error: ValueError, received: 'string' },
  { name: 'loadCsv of a corrupt gzip file', run: () => loadCsv(file('cut.csv.gz', gzipSync('1,2,0\n'.repeat(1000)).subarray(0, 40)), { labelColumn: -1 }), error: DataFormatError, received: 'truncated' },
  { name: 'streamCsv of a missing file', run: async () => { for await (const b of streamCsv(join(dir, 'none.csv'), { labelColumn: 0 }).batches(2)) tf.dispose([b.features, b.labels]); }, error: Dl4tsError, received: join(dir, 'none.csv') },
  // IDX, MNIST and gzip bytes.
  { name: 'IDX with a bad magic number', run: idx([1, 2, 3, 4]), error: DataFormatError, received: '0x01020304' },
  { name: 'IDX with an unknown type', run: idx([0, 0, 0x07, 1, 0, 0, 0, 1, 5]), error: DataFormatError, received: '0x07' },
  { name: 'IDX truncated', run: idx([0, 0, 0x08, 1, 0, 0, 0, 5, 1, 2]), error: DataFormatError, received: 'found 10' },
  { name: 'IDX header cut short', run: idx([0, 0]), error: DataFormatError, received: '2' },
  { name: 'MNIST labels 12', run: () => mnistDataSet(Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 9]), Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 1, 12])), error: ValueError, received: '12' },
  { name: 'MNIST limit 0', run: () => mnistDataSet(Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 9]), Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 1, 3]), { limit: 0 }), error: ConfigError, received: '0' },
  { name: 'loadMnist of a folder without the files', run: () => loadMnist(join(dir, 'folder')), error: Dl4tsError, received: 'train-images-idx3-ubyte' },
  { name: 'gunzip of bytes that are not gzip', run: () => gunzip(Uint8Array.from([1, 2, 3, 4]), 'g.gz'), error: DataFormatError, received: 'g.gz' },
];
