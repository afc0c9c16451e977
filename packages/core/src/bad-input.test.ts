import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSet } from './data-set';
import { ArtifactError, ConfigError, Dl4tsError, ValueError } from './errors';
import { deserializeModel } from './io/model-artifact';
import { normalizerFromJSON } from './data/normalizer-from-json';
import { loadModel, saveModel } from './node/model-files';
import { ComputationGraph } from './graph/computation-graph';
import { graphConfig, linearOut } from './graph/graph-test-support';
import { MultiDataSet } from './graph/multi-data-set';
import { Network } from './network';
import { X, Y, makeNet, registry } from './network-test-support';

// Careless input through the public API gets a typed error naming what was received, never a
// TypeError from deep inside tfjs or a DOMException from structuredClone.
describe('bad input to models', () => {
  it('refuses disposed data sets and disposed input tensors with DL4TS_DISPOSED', async () => {
    const net = makeNet();
    const data = DataSet.from(X, Y);
    data.dispose();
    await expect(net.fit(data)).rejects.toThrow(expect.objectContaining({ code: 'DL4TS_DISPOSED', message: expect.stringContaining('DataSet: features were disposed') }));
    const multi = MultiDataSet.from({ features: [X], labels: [Y] });
    multi.dispose();
    await expect(net.fit(multi)).rejects.toThrow('MultiDataSet: features[0] was disposed');
    const x = tf.tensor2d(X);
    x.dispose();
    expect(() => net.output(x)).toThrow(Dl4tsError);
    expect(() => net.output(x)).toThrow('features: the tensor was disposed before it was used');
    const graph = new ComputationGraph(graphConfig({ inputs: { x: 2 }, vertices: [linearOut('out', 1, ['x'])], outputs: ['out'] }), { registry: registry() }).init();
    expect(() => graph.output([x])).toThrow('Input "x": features: the tensor was disposed');
    graph.dispose();
    net.dispose();
  });

  it('refuses listeners that are not an array of objects', async () => {
    const net = makeNet();
    await expect(net.fit({ features: X, labels: Y }, { listeners: {} as never })).rejects.toThrow(ConfigError);
    await expect(net.fit({ features: X, labels: Y }, { listeners: [null] as never })).rejects.toThrow('received an array holding a non-object');
    net.dispose();
  });

  it('refuses configs that are not plain data: functions, class instances, circular references; and a NaN seed', () => {
    const base = { input: 2, layers: [{ type: 'test/linear-out', nOut: 1 }] };
    const make = (config: Record<string, unknown>) => () => new Network(config as never, { registry: registry() });
    expect(make({ ...base, defaults: { activation: (v: unknown) => v } })).toThrow('config.defaults.activation is a function; a config holds plain data');
    expect(make({ ...base, layers: [{ type: 'test/linear-out', nOut: 1, biasInit: new Date(0) }] })).toThrow('config.layers[0].biasInit is a Date');
    const t = tf.scalar(1);
    expect(make({ ...base, layers: [{ type: 'test/linear-out', nOut: t }] })).toThrow(/config\.layers\[0\]\.nOut is a \w*Tensor/);
    t.dispose();
    const circular: Record<string, unknown> = { ...base };
    circular.defaults = { nested: circular };
    expect(make(circular)).toThrow('config.defaults.nested refers back to an object that contains it');
    // The same objects shared twice are not a cycle.
    const updater = { type: 'test/sgd', lr: 0.1 };
    expect(() => make({ ...base, defaults: { updater, biasUpdater: updater } })().dispose()).not.toThrow();
    expect(() => makeNet({ seed: Number.NaN })).toThrow('seed must be an integer, received NaN');
  });

  it('refuses a second fit while one runs, and a shuffle that is not a boolean', async () => {
    const net = makeNet();
    const first = net.fit({ features: X, labels: Y }, { epochs: 3 });
    await expect(net.fit({ features: X, labels: Y })).rejects.toThrow(expect.objectContaining({ code: 'DL4TS_USAGE', message: expect.stringContaining('this model is already training') }));
    await first;
    await expect(net.fit({ features: X, labels: Y }, { shuffle: 'no' as never })).rejects.toThrow('fit: shuffle must be true or false, received "no"');
    // The refused calls left the model usable.
    expect((await net.fit({ features: X, labels: Y })).epochs).toBe(1);
    net.dispose();
  });

  it('names missing files and folders, directories where files belong, and bytes that are not a Uint8Array', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dl4ts-bad-'));
    const net = makeNet();
    try {
      await expect(loadModel(join(dir, 'none.safetensors'))).rejects.toThrow(new ArtifactError(`loadModel: ${join(dir, 'none.safetensors')} does not exist`));
      await expect(saveModel(net, join(dir, 'missing', 'm.safetensors'))).rejects.toThrow(expect.objectContaining({ code: 'DL4TS_IO', message: expect.stringContaining(`the folder ${join(dir, 'missing')} does not exist`) }));
      await expect(saveModel(net, dir)).rejects.toThrow(`saveModel: ${dir} is a directory; give a file path such as ${join(dir, 'model.safetensors')}`);
      expect(() => deserializeModel(null as never)).toThrow(new ArtifactError('model artifact: expected the bytes of a model file as a Uint8Array, received null'));
      expect(() => deserializeModel(new ArrayBuffer(8) as never)).toThrow('received an ArrayBuffer (wrap it: new Uint8Array(buffer))');
    } finally {
      net.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a parameter too large for one tensor with the size it would need, and a normaliser type that is a prototype key', () => {
    const before = tf.memory().numTensors;
    const huge = () => new Network({ input: 8, layers: [{ type: 'test/linear-out', nOut: 1e9 }] } as never, { registry: registry() }).init();
    expect(huge).toThrow(ValueError);
    expect(huge).toThrow('Layer "linear-out_0": parameter W of shape [8, 1000000000] would hold 8,000,000,000 values (32.0 GB of float32); one tensor holds at most 2,147,483,647');
    expect(tf.memory().numTensors).toBe(before);
    expect(() => normalizerFromJSON({ type: '__proto__' })).toThrow(ConfigError);
    expect(() => normalizerFromJSON({ type: 'toString' })).toThrow('normalizerFromJSON: type is "toString"; expected one of');
  });
});
