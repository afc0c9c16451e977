import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, DataSet, formatValue, isPretrainable, toTensor2D } from '@dl4ts/core';
import type { AnyBatch, ArrayInput, BatchSource, ComputationGraph, Network } from '@dl4ts/core';

/** Options of {@link pretrain}. */
export interface PretrainOptions {
  /** Epochs per layer: one number for all, or per layer name (layers not named get 1). Default 1. */
  epochs?: number | Readonly<Record<string, number>>;
  /** Default 32. */
  batchSize?: number;
  /** Names of the layers to pretrain, a subset of the pretrainable ones. Default: all of them. */
  layers?: readonly string[];
  /** Shuffle each epoch with the network's seeded generator. Default true. */
  shuffle?: boolean;
  /** Called after each layer with its mean score per epoch. */
  onLayerEnd?: (info: { layer: string; scores: readonly number[] }) => void | Promise<void>;
}

/**
 * A data set of features only (labels `[n, 0]`), for unsupervised pretraining. Caller disposes.
 *
 * @example
 * ```ts
 * const data = unlabeled(pixels, [n, 784]);
 * ```
 */
export function unlabeled(features: ArrayInput, shape?: [number, number]): DataSet {
  const x = toTensor2D(features, 'features', shape);
  return DataSet.adopt(x, tf.zeros([x.shape[0], 0]));
}

/**
 * Greedy layer-wise pretraining (Hinton, Osindero and Teh 2006; DL4J's `pretrain`, and
 * `ComputationGraph.pretrain` for a graph): every pretrainable layer (RBMs, `layers/autoencoder`),
 * in order (a graph's: every layer after those it reads), trained without labels on what reaches it
 * from the inputs through the already-trained layers, through `pretrainLayer` (so each layer's
 * updater, schedules, L1/L2 and weight decay apply, and PCD chains are committed). Fine-tuning is
 * then `network.fit`; to train only the layers above a frozen stack, configure the pretrained
 * layers with `frozen: true` (pretraining ignores `frozen`).
 *
 * Returns each pretrained layer's mean score per epoch, by name.
 *
 * @example
 * ```ts
 * const scores = await pretrain(net, unlabeled(x), { epochs: { rbm1: 10, rbm2: 5 }, batchSize: 64 });
 * await net.fit(trainData, { epochs: 5 });
 * ```
 */
export async function pretrain(network: Network | ComputationGraph, data: BatchSource<AnyBatch> | ArrayInput, options: PretrainOptions = {}): Promise<Record<string, number[]>> {
  const pretrainable = network.layers.filter(isPretrainable).map((l) => l.config.name);
  const chosen = options.layers ?? pretrainable;
  const unknown = chosen.filter((name) => !pretrainable.includes(name));
  if (unknown.length > 0) {
    throw new ConfigError(`pretrain: layers ${unknown.map((n) => JSON.stringify(n)).join(', ')} are not pretrainable layers of the network; expected some of: ${pretrainable.join(', ') || '(none)'}`);
  }
  const epochsOf = (name: string): number => {
    const e = options.epochs;
    const value = typeof e === 'object' ? (e[name] ?? 1) : (e ?? 1);
    if (!Number.isInteger(value) || value < 0) throw new ConfigError(`pretrain: epochs for "${name}" must be a non-negative integer, received ${formatValue(value)}`);
    return value;
  };
  if (typeof options.epochs === 'object') {
    const extra = Object.keys(options.epochs).filter((name) => !chosen.includes(name));
    if (extra.length > 0) throw new ConfigError(`pretrain: epochs names ${extra.join(', ')}, which are not pretrained; expected some of: ${chosen.join(', ')}`);
  }
  for (const name of chosen) epochsOf(name);
  const owned = 'batches' in (data as object) ? undefined : unlabeled(data as ArrayInput);
  const source = owned ?? (data as BatchSource<AnyBatch>);
  const result: Record<string, number[]> = {};
  try {
    // The model's order, whatever the order of `layers`: a layer's input depends on those before it.
    for (const name of pretrainable.filter((n) => chosen.includes(n))) {
      const scores = await network.pretrainLayer(name, source, { epochs: epochsOf(name), batchSize: options.batchSize ?? 32, shuffle: options.shuffle ?? true });
      result[name] = scores;
      await options.onLayerEnd?.({ layer: name, scores });
    }
  } finally {
    owned?.dispose();
  }
  return result;
}
