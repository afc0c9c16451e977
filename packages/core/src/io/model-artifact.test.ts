import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Standardize } from '../data/standardize';
import { ArtifactError, Dl4tsError } from '../errors';
import { Network } from '../network';
import { loadModel, saveModel } from '../node/model-files';
import type { SaveStep } from '../node/model-files';
import type { ComponentDefinition } from '../registry';
import { Registry } from '../registry';
import { Rng } from '../random';
import { CONFIG, X, Y, registry, signed } from './artifact-test-support';
import { modelState as values } from '../testing/layer-kit';
import { TEST_DEFINITIONS } from '../test-support';
import { crc32 } from './crc32';
import { deserializeModel, serializeModel } from './model-artifact';
import { encodeSafetensors, readSafetensorsData, readSafetensorsHeader } from './safetensors';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dl4ts-io-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('model artifact', () => {
  it('writes 4 bytes per value for a parameter whose values came from a boolean cast', async () => {
    // On the cpu backend such a float32 tensor keeps a byte buffer; writing it as read shifted
    // every later parameter in the file.
    const net = new Network(CONFIG, { registry: registry() }).init();
    const mask = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([3, 4], 0, 1, 'float32', 5), 0.5), 'float32'));
    net.setParam('dense_0/W', mask);
    mask.dispose();
    const loaded = deserializeModel(await serializeModel(net), { registry: registry() });
    expect(await values(loaded.network)).toEqual(await values(net));
    loaded.network.dispose();
    net.dispose();
  });

  it("trains a layer that names no updater with core's own SGD, which every loader has", async () => {
    // No updater package registered anywhere: core's default needs none.
    const net = new Network({ ...CONFIG, defaults: {} }, { registry: registry() }).init();
    const before = Array.from(await net.getParam('out_1/W').data());
    await net.fit({ features: X, labels: Y }, { epochs: 1, batchSize: X.length });
    expect(Array.from(await net.getParam('out_1/W').data())).not.toEqual(before);
    const bytes = await serializeModel(net);
    expect(JSON.parse(readSafetensorsHeader(bytes).metadata.components ?? '')).toEqual([
      { kind: 'layer', key: 'ts/dense' },
      { kind: 'updater', key: 'core/sgd', provider: '@dl4ts/core' },
      { kind: 'layer', key: 'ts/out' },
    ]);
    deserializeModel(bytes, { registry: registry() }).network.dispose();
    net.dispose();
  });

  it('round-trips config, parameters, updater state, counters and the normaliser', async () => {
    const net = new Network(CONFIG, { registry: registry() }).init();
    await net.fit({ features: X, labels: Y }, { epochs: 2, batchSize: 5 });
    const normalizer = new Standardize();
    const features = tf.tensor2d(X);
    normalizer.fit(features);
    const bytes = await serializeModel(net, { normalizer });
    const loaded = deserializeModel(bytes, { registry: registry() });
    expect(loaded.network.config).toEqual(CONFIG);
    expect({ iteration: loaded.network.iteration, epoch: loaded.network.epoch }).toEqual({ iteration: 10, epoch: 2 });
    expect(await values(loaded.network)).toEqual(await values(net));
    expect(loaded.normalizer?.toJSON()).toEqual(normalizer.toJSON());
    expect(loaded.metadata.format).toBe('dl4ts-model');
    expect(loaded.metadata.library).toMatch(/^@dl4ts\/core@\d+\.\d+\.\d+/);
    expect(JSON.parse(loaded.metadata.components ?? '')).toEqual([
      { kind: 'layer', key: 'ts/dense' },
      { kind: 'updater', key: 'ts/momentum' },
      { kind: 'layer', key: 'ts/out' },
    ]);
    features.dispose();
    net.dispose();
    loaded.network.dispose();
  });

  it('resumes exactly: 2 + 3 epochs through a saved file equal 5 epochs straight', async () => {
    const straight = new Network(CONFIG, { registry: registry() }).init();
    await straight.fit({ features: X, labels: Y }, { epochs: 5, batchSize: 5 });

    const first = new Network(CONFIG, { registry: registry() }).init();
    await first.fit({ features: X, labels: Y }, { epochs: 2, batchSize: 5 });
    const path = join(dir, 'resume.safetensors');
    await saveModel(first, path);
    first.dispose();
    const { network: resumed } = await loadModel(path, { registry: registry() });
    await resumed.fit({ features: X, labels: Y }, { epochs: 3, batchSize: 5 });
    expect(await values(resumed)).toEqual(await values(straight));
    // Not vacuous: resuming without the updater state diverges.
    const noState = new Network(CONFIG, { registry: registry() }).init();
    for (const name of resumed.paramNames()) noState.setParam(name, (await loadModel(path, { registry: registry() })).network.getParam(name));
    noState.setCounters({ iteration: 10, epoch: 2 });
    await noState.fit({ features: X, labels: Y }, { epochs: 3, batchSize: 5 });
    expect((await values(noState))['dense_0/W']).not.toEqual((await values(straight))['dense_0/W']);
    for (const n of [straight, resumed, noState]) n.dispose();
  });

  it('names every missing plugin key when loading with a registry that lacks them', async () => {
    const net = new Network(CONFIG, { registry: registry() }).init();
    const bytes = await serializeModel(net);
    net.dispose();
    expect(() => deserializeModel(bytes, { registry: new Registry() })).toThrow(ArtifactError);
    expect(() => deserializeModel(bytes, { registry: new Registry() })).toThrow('the registry lacks layer ts/dense, updater ts/momentum, layer ts/out');
  });

  it('records each component\'s provider and, on load, names every missing key with the package to register', async () => {
    // Two plugins with recorded providers (the layer and updater keys of CONFIG, re-provided), and one without.
    const provided = (d: ComponentDefinition, provider: string): ComponentDefinition => ({ ...d, provider });
    const [denseDef, outDef, initDef, , momentumDef] = TEST_DEFINITIONS as [ComponentDefinition, ComponentDefinition, ComponentDefinition, ComponentDefinition, ComponentDefinition];
    const full = new Registry().use({ name: 'p', definitions: [provided(denseDef, '@acme/io-layers'), provided(outDef, '@acme/io-layers'), initDef, provided(momentumDef, 'io-updaters')] });
    const net = new Network(CONFIG, { registry: full }).init();
    const bytes = await serializeModel(net);
    net.dispose();
    expect(JSON.parse(readSafetensorsHeader(bytes).metadata.components ?? '')).toEqual([
      { kind: 'layer', key: 'ts/dense', provider: '@acme/io-layers' },
      { kind: 'updater', key: 'ts/momentum', provider: 'io-updaters' },
      { kind: 'layer', key: 'ts/out', provider: '@acme/io-layers' },
    ]);
    let error: unknown;
    try {
      deserializeModel(bytes, { registry: new Registry().use({ name: 'only-init', definitions: [initDef] }) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ArtifactError);
    const message = (error as Error).message;
    expect(message).toContain('the registry lacks layer ts/dense, updater ts/momentum, layer ts/out (3 missing)');
    expect(message).toContain('@acme/io-layers provides: layer ts/dense, layer ts/out');
    expect(message).toContain('io-updaters provides: updater ts/momentum');
    // With only the updater missing, only its provider is named.
    const partial = new Registry().use({ name: 'no-updater', definitions: [denseDef, outDef, initDef] });
    expect(() => deserializeModel(bytes, { registry: partial })).toThrow(/lacks updater ts\/momentum \(1 missing\)\. io-updaters provides: updater ts\/momentum\. Register/);
    // A provider that is not a package name is not echoed; the namespace is named instead.
    const header = readSafetensorsHeader(bytes);
    const tensors = new Map(header.entries.map((e) => [e.name, readSafetensorsData(bytes, header, e.name)]));
    const { checksum: _checksum, ...meta } = header.metadata;
    const forged = signed(tensors, { ...meta, components: JSON.stringify([{ kind: 'layer', key: 'ts/dense', provider: 'run `rm -rf /`' }]) });
    expect(() => deserializeModel(forged, { registry: new Registry() })).toThrow('lacks layer ts/dense (1 missing). no provider recorded for "ts/*": layer ts/dense.');
    const malformed = signed(tensors, { ...meta, components: JSON.stringify([{ kind: 'layer', key: 7 }]) });
    expect(() => deserializeModel(malformed, { registry: full })).toThrow('components must be a list of { kind, key, provider? }');
  });

  it('never destroys the previous file when a save is interrupted at any step', async () => {
    const path = join(dir, 'atomic.safetensors');
    const good = new Network(CONFIG, { registry: registry() }).init();
    await saveModel(good, path);
    const goodBytes = await readFile(path);
    const other = new Network({ ...CONFIG, seed: 99 }, { registry: registry() }).init();
    const steps: SaveStep[] = ['open-temp', 'write', 'fsync', 'close', 'rename'];
    for (const failAt of steps) {
      await expect(
        saveModel(other, path, {
          beforeStep: (step) => {
            if (step === failAt) throw new Error(`simulated crash before ${step}`);
          },
        }),
      ).rejects.toThrow(`simulated crash before ${failAt}`);
      expect(Buffer.compare(await readFile(path), goodBytes)).toBe(0);
      const { network } = await loadModel(path, { registry: registry() });
      expect(await values(network)).toEqual(await values(good));
      network.dispose();
      expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]); // no stray temp file
    }
    // A completed save replaces it.
    await saveModel(other, path);
    const { network } = await loadModel(path, { registry: registry() });
    expect(await values(network)).toEqual(await values(other));
    for (const n of [good, other, network]) n.dispose();
  });

  it('rejects 240 mutated artifacts with typed errors, each within a second, allocating nothing', async () => {
    const net = new Network(CONFIG, { registry: registry() }).init();
    await net.fit({ features: X, labels: Y }, { epochs: 1, batchSize: 8 });
    const bytes = await serializeModel(net);
    net.dispose();
    const mutants: [string, Uint8Array][] = [];
    const r = new Rng(17);
    for (let i = 0; i < 80; i++) {
      const cut = Math.floor(r.uniform() * bytes.length);
      mutants.push([`truncated at ${cut}`, bytes.slice(0, cut)]);
    }
    for (let i = 0; i < 100; i++) {
      const copy = bytes.slice();
      const at = Math.floor(r.uniform() * copy.length);
      copy[at] = (copy[at] as number) ^ (1 << Math.floor(r.uniform() * 8));
      mutants.push([`bit flipped at byte ${at}`, copy]);
    }
    // Re-signed hostile headers: valid checksums, so only the structural checks stand in the way.
    const header = readSafetensorsHeader(bytes);
    const tensors = new Map(header.entries.map((e) => [e.name, readSafetensorsData(bytes, header, e.name)]));
    const meta = { ...header.metadata };
    delete (meta as Record<string, string>).checksum;
    const hostile: [string, (m: Record<string, string>) => void][] = [
      ['a config declaring a terabyte layer', (m) => void (m.config = (m.config ?? '').replace('"nOut":4', '"nOut":250000000000'))],
      ['a config with an unknown layer', (m) => void (m.config = (m.config ?? '').replace('ts/dense', 'ts/evil'))],
      ['a future format version', (m) => void (m.formatVersion = '99')],
      ['a foreign format', (m) => void (m.format = 'pickle')],
      ['counters that are not numbers', (m) => void (m.counters = '{"iteration":"x","epoch":-1}')],
      ['broken config JSON', (m) => void (m.config = '{')],
    ];
    for (let i = 0; i < 10; i++) {
      for (const [name, mutate] of hostile) {
        const m = { ...meta };
        mutate(m);
        mutants.push([`${name} (${i})`, signed(tensors, m)]);
      }
    }
    const dropped = new Map(tensors);
    dropped.delete([...dropped.keys()][0] as string);
    mutants.push(['a missing parameter', signed(dropped, meta)]);
    const reshaped = new Map(tensors);
    const [firstName, first] = [...tensors][0] as [string, ReturnType<typeof readSafetensorsData>];
    reshaped.set(firstName, { ...first, shape: [first.data.length] });
    mutants.push(['a parameter of the wrong shape', signed(reshaped, meta)]);
    const wrongType = new Map(tensors);
    wrongType.set(firstName, { dtype: 'I32', shape: first.shape, data: Int32Array.from(first.data) });
    mutants.push(['a parameter of the wrong dtype', signed(wrongType, meta)]);
    expect(mutants.length).toBeGreaterThanOrEqual(240);

    const before = tf.memory().numTensors;
    for (const [name, mutant] of mutants) {
      const started = performance.now();
      let error: unknown;
      try {
        deserializeModel(mutant, { registry: registry() }).network.dispose();
      } catch (e) {
        error = e;
      }
      expect(error, name).toBeInstanceOf(Dl4tsError);
      expect(error instanceof ArtifactError || (error as Dl4tsError).code.startsWith('DL4TS_'), name).toBe(true);
      expect(performance.now() - started, name).toBeLessThan(1000);
      expect(tf.memory().numTensors, name).toBe(before);
    }
  });

  it('writes the checksum as crc32 over the unsigned container', async () => {
    const net = new Network(CONFIG, { registry: registry() }).init();
    const bytes = await serializeModel(net);
    net.dispose();
    const header = readSafetensorsHeader(bytes);
    const { checksum, ...rest } = header.metadata;
    const tensors = new Map(header.entries.map((e) => [e.name, readSafetensorsData(bytes, header, e.name)]));
    expect(checksum).toBe(`crc32:${crc32(encodeSafetensors(tensors, rest)).toString(16).padStart(8, '0')}`);
    await writeFile(join(dir, 'x.bin'), bytes);
  });
});
