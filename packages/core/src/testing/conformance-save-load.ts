import * as tf from '@tensorflow/tfjs-core';
import type { Backend } from '../backend';
import { DataSet } from '../data-set';
import { deserializeModel, serializeModel } from '../io/model-artifact';
import { Network } from '../network';
import type { NetworkConfig } from '../network-config';
import type { Registry } from '../registry';
import type { ConformanceResult, ConformanceTolerance } from './conformance-types';
import { SAVE_LOAD_CONFIG, normals } from './conformance-cases';
import { difference, read, tensorOf } from './conformance-values';

/** Trains on `from`, saves, loads on `to`, and compares predictions of the same features. */
export async function saveLoadChecks(registry: Registry, reference: Backend, target: Backend, tolerance: ConformanceTolerance): Promise<ConformanceResult[]> {
  const features = normals(89, [12, 4]);
  const labels = { values: Float32Array.from({ length: 36 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0)), shape: [12, 3] };
  const check = async (from: Backend, to: Backend): Promise<ConformanceResult> => {
    const name = `${from.name} -> ${to.name}`;
    try {
      await from.activate();
      const network = new Network(structuredClone(SAVE_LOAD_CONFIG) as NetworkConfig, { registry }).init();
      const sources = [tensorOf(features), tensorOf(labels)] as const;
      const data = DataSet.from(...sources);
      await network.fit(data, { epochs: 2, batchSize: 4 });
      tf.dispose([...sources]);
      data.dispose();
      const x = tensorOf(features);
      const before = await read(network.output(x), []);
      const bytes = await serializeModel(network);
      network.dispose();
      x.dispose();
      await to.activate();
      const loaded = deserializeModel(bytes, { registry }).network;
      const y = tensorOf(features);
      const after = await read(loaded.output(y), []);
      loaded.dispose();
      y.dispose();
      const d = difference(after.outputs, before.outputs, tolerance.forward);
      return { kind: 'save-load', name, ok: d.ok, forwardError: d.worst, gradientError: 0, ...(d.ok ? {} : { detail: `predictions differ by up to ${d.worst.toExponential(2)}` }) };
    } catch (error) {
      return { kind: 'save-load', name, ok: false, forwardError: Number.NaN, gradientError: 0, detail: error instanceof Error ? error.message : String(error) };
    }
  };
  return [await check(reference, target), await check(target, reference)];
}
