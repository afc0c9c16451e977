import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Standardize } from '../data/standardize';
import { ArtifactError } from '../errors';
import { Network } from '../network';
import type { NetworkConfig } from '../network-config';
import { Rng } from '../random';
import { testRegistry } from '../test-support';
import { crc32 } from './crc32';
import { deserializeModel, serializeModel } from './model-artifact';
import type { SafetensorsTensor } from './safetensors';
import { encodeSafetensors, readSafetensorsData, readSafetensorsHeader } from './safetensors';

// Artifacts with valid checksums whose contents were changed: only the loader's own checks stand
// between them and the network. Each must load, or fail with an ArtifactError, never anything else.

const CONFIG: NetworkConfig = {
  seed: 5,
  input: 3,
  defaults: { updater: { type: 'ts/momentum', lr: 0.1 }, l2: 0.01 },
  layers: [{ type: 'ts/dense', nOut: 4 }, { type: 'ts/out', nOut: 2 }],
};
const X = [[0, 1, 2], [1, 0, 1], [2, 2, 0], [1, 1, 1]];
const Y = [[0, 1], [1, 0], [1, 1], [0, 0]];

type Tensors = Map<string, SafetensorsTensor>;
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const HOSTILE: readonly Json[] = [null, -1, 0, 1.5, 1e12, -1e300, 'x', '', 'ts/dense', 'ts/evil', true, [], {}, [1, 2], { type: 'ts/evil' }, { type: 'ts/sgd' }, 'NaN', 2 ** 53, [[]]];

function sign(tensors: Tensors, metadata: Record<string, string>): Uint8Array {
  const unsigned = encodeSafetensors(tensors, metadata);
  return encodeSafetensors(tensors, { ...metadata, checksum: `crc32:${crc32(unsigned).toString(16).padStart(8, '0')}` });
}

const pick = <T>(r: Rng, items: readonly T[]): T => items[Math.floor(r.uniform() * items.length)] as T;

/** Every path to a value inside a JSON document (the root included, as []). */
function paths(value: Json, at: (string | number)[] = []): (string | number)[][] {
  const found = [at];
  if (Array.isArray(value)) value.forEach((v, i) => found.push(...paths(v, [...at, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) found.push(...paths(v, [...at, k]));
  return found;
}

/** A copy of `doc` with the value at a random path replaced, deleted, or given an extra key. */
function mutateJson(r: Rng, doc: Json): Json {
  const copy = structuredClone(doc);
  const path = pick(r, paths(copy));
  if (path.length === 0) return pick(r, HOSTILE);
  const parent = path.slice(0, -1).reduce<Json>((node, key) => (node as Record<string, Json>)[key] as Json, copy) as Record<string | number, Json>;
  const key = path[path.length - 1] as string | number;
  const roll = r.uniform();
  if (roll < 0.15 && !Array.isArray(parent)) delete parent[key];
  else if (roll < 0.3 && parent[key] !== null && typeof parent[key] === 'object' && !Array.isArray(parent[key])) (parent[key] as Record<string, Json>).extra = pick(r, HOSTILE);
  else parent[key] = pick(r, HOSTILE);
  return copy;
}

function mutateTensors(r: Rng, tensors: Tensors): Tensors {
  const copy = new Map(tensors);
  const names = [...copy.keys()];
  const name = pick(r, names);
  const t = copy.get(name) as SafetensorsTensor;
  switch (Math.floor(r.uniform() * 5)) {
    case 0:
      copy.delete(name);
      break;
    case 1:
      copy.set(pick(r, ['param/dense_0/extra', 'updater/out_1/W/w', 'param/nope', 'other']), { dtype: 'F32', shape: [2], data: new Float32Array(2) });
      break;
    case 2:
      copy.set(name, { ...t, shape: [t.data.length] });
      break;
    case 3:
      copy.set(name, { ...t, shape: [...t.shape, 1] });
      break;
    default: {
      const dtype = pick(r, ['I32', 'U8'] as const);
      copy.set(name, { dtype, shape: t.shape, data: dtype === 'I32' ? Int32Array.from(t.data) : Uint8Array.from(t.data) });
    }
  }
  return copy;
}

/** The artifact of a trained CONFIG network, its tensors and its metadata without the checksum. */
async function artifact(): Promise<{ tensors: Tensors; meta: Record<string, string> }> {
  const net = new Network(CONFIG, { registry: testRegistry() }).init();
  await net.fit({ features: X, labels: Y }, { epochs: 1, batchSize: 2 });
  const bytes = await serializeModel(net);
  net.dispose();
  const header = readSafetensorsHeader(bytes);
  const { checksum: _checksum, ...meta } = header.metadata;
  return { tensors: new Map(header.entries.map((e) => [e.name, readSafetensorsData(bytes, header, e.name)])), meta };
}

describe('loading mutated artifacts', () => {
  it('rejects a config with unknown keys as an ArtifactError naming the key and the closest known one', async () => {
    const { tensors, meta } = await artifact();
    const config = JSON.parse(meta.config as string) as Record<string, unknown>;
    const misspelled = { ...config, layers: [{ type: 'ts/dense', nOut: 4, activaton: 'ts/identity' }, { type: 'ts/out', nOut: 2 }] };
    const load = (c: unknown) => () => deserializeModel(sign(tensors, { ...meta, config: JSON.stringify(c) }), { registry: testRegistry() });
    expect(load(misspelled)).toThrow(ArtifactError);
    expect(load(misspelled)).toThrow('model artifact: Layer 0 "dense_0" (ts/dense): unknown option "activaton"; did you mean "activation"?');
    expect(load({ ...config, epochz: 3 })).toThrow(/^model artifact: Network config: unknown option "epochz"/);
  });

  it('rejects a seed that is not a number as an ArtifactError, not a RangeError', async () => {
    const { tensors, meta } = await artifact();
    const config = JSON.parse(meta.config as string) as Record<string, unknown>;
    const bytes = sign(tensors, { ...meta, config: JSON.stringify({ ...config, seed: 'abc' }) });
    expect(() => deserializeModel(bytes, { registry: testRegistry() })).toThrow(ArtifactError);
    expect(() => deserializeModel(bytes, { registry: testRegistry() })).toThrow('model artifact: Network: seed must be an integer, received "abc"');
  });

  it('loads or fails with an ArtifactError for 2000 mutations with valid checksums: config, counters, components, normaliser, metadata, tensors', async () => {
    const registry = testRegistry();
    const net = new Network(CONFIG, { registry }).init();
    await net.fit({ features: X, labels: Y }, { epochs: 2, batchSize: 2 });
    const features = tf.tensor2d(X);
    const normalizer = await new Standardize().fit(features);
    const bytes = await serializeModel(net, { normalizer });
    tf.dispose(features);
    net.dispose();
    const header = readSafetensorsHeader(bytes);
    const tensors: Tensors = new Map(header.entries.map((e) => [e.name, readSafetensorsData(bytes, header, e.name)]));
    const { checksum: _checksum, ...meta } = header.metadata;
    expect([...tensors.keys()].some((k) => k.startsWith('updater/'))).toBe(true);
    expect(meta.normalizer).toBeDefined();

    const r = new Rng(2026);
    const before = tf.memory().numTensors;
    const outcomes = { loaded: 0, rejected: 0 };
    const fields = ['config', 'config', 'config', 'counters', 'components', 'normalizer'] as const;
    for (let i = 0; i < 2000; i++) {
      let m: Record<string, string> = { ...meta };
      let t = tensors;
      let what: string;
      const roll = r.uniform();
      if (roll < 0.7) {
        const field = pick(r, fields);
        m[field] = JSON.stringify(mutateJson(r, JSON.parse(m[field] as string) as Json));
        what = `${field} ${m[field]}`;
      } else if (roll < 0.8) {
        const key = pick(r, Object.keys(m));
        if (r.uniform() < 0.5) delete m[key];
        else m = { ...m, [key]: String(pick(r, HOSTILE)) };
        what = `metadata ${key}`;
      } else {
        t = mutateTensors(r, tensors);
        what = `tensors ${[...t].map(([k, v]) => `${k}:${v.dtype}[${v.shape.join(',')}]`).join(' ')}`;
      }
      const started = performance.now();
      try {
        const loaded = deserializeModel(sign(t, m), { registry });
        loaded.network.dispose();
        outcomes.loaded++;
      } catch (error) {
        if (!(error instanceof ArtifactError)) throw new Error(`mutant ${i} (${what}) failed with ${String(error)}, expected an ArtifactError`, { cause: error });
        outcomes.rejected++;
      }
      expect(performance.now() - started, what).toBeLessThan(1000);
      expect(tf.memory().numTensors, what).toBe(before);
    }
    // Both outcomes happen: the mutations are neither all harmless nor all caught by one check.
    expect(outcomes.rejected).toBeGreaterThan(1000);
    expect(outcomes.loaded).toBeGreaterThan(50);
  });
});
