import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, disposeBatch } from '@dl4ts/core';
import type { BatchSource, Network, ParamMap } from '@dl4ts/core';
import { Rbm } from './rbm';

/** Options of the RBM monitors. */
export interface MonitorOptions {
  /** Examples per forward pass. Default 256. */
  batchSize?: number;
}

/** Where the monitors read data: a features tensor `[n, nIn]` (of the network input), or any batch source. */
export type MonitorData = tf.Tensor | BatchSource;

/** The RBM named `layerName` of `network`, its index, and copies of its parameters (caller disposes). */
function rbmOf(network: Network, layerName: string): { rbm: Rbm; index: number; params: Record<string, tf.Tensor> } {
  const index = network.layers.findIndex((l) => l.config.name === layerName);
  if (index < 0) throw new ConfigError(`RBM monitor: no layer named "${layerName}"; layers: ${network.layers.map((l) => l.config.name).join(', ')}`);
  const rbm = network.layers[index];
  if (!(rbm instanceof Rbm)) throw new ConfigError(`RBM monitor: layer "${layerName}" is ${rbm?.key}, expected an rbm/rbm layer`);
  const params: Record<string, tf.Tensor> = {};
  for (const name of ['W', 'b', 'vb']) params[name] = network.getParam(`${layerName}/${name}`);
  return { rbm, index, params };
}

/** The mean over all examples of `perExample(v)` (`[batch]`), `v` the RBM's input: the output of the layers below it. */
async function meanOver(network: Network, layerName: string, data: MonitorData, options: MonitorOptions, perExample: (rbm: Rbm, v: tf.Tensor, params: ParamMap) => tf.Tensor): Promise<number> {
  const { rbm, index, params } = rbmOf(network, layerName);
  const batchSize = options.batchSize ?? 256;
  let sum = 0;
  let count = 0;
  const one = async (features: tf.Tensor) => {
    const outputs = index === 0 ? [] : network.feedForward(features);
    try {
      const v = index === 0 ? features : (outputs[index - 1] as tf.Tensor);
      const values = tf.tidy(() => tf.sum(perExample(rbm, v, params)));
      sum += (await values.data())[0] as number;
      values.dispose();
      count += features.shape[0] as number;
    } finally {
      tf.dispose(outputs);
    }
  };
  try {
    if (data instanceof tf.Tensor) {
      const n = data.shape[0] as number;
      for (let start = 0; start < n; start += batchSize) {
        const batch = tf.slice(data, [start, 0], [Math.min(batchSize, n - start), -1]);
        try {
          await one(batch);
        } finally {
          batch.dispose();
        }
      }
    } else {
      for await (const batch of data.batches(batchSize)) {
        try {
          await one(batch.features);
        } finally {
          disposeBatch(batch);
        }
      }
    }
  } finally {
    tf.dispose(Object.values(params));
  }
  return count === 0 ? Number.NaN : sum / count;
}

/**
 * Mean squared reconstruction error of an RBM of a network on a data set:
 * `mean_n sum_i (v_i - r_i)^2`, `r = propDown(propUp(v))` (mean-field, no sampling), `v` the
 * layer's input (the data passed through the layers below it). Falls as the RBM learns; it is
 * not the objective CD follows, so watch it with the free energy.
 *
 * @example
 * ```ts
 * const err = await reconstructionError(net, 'rbm1', testFeatures);
 * ```
 */
export function reconstructionError(network: Network, layerName: string, data: MonitorData, options: MonitorOptions = {}): Promise<number> {
  return meanOver(network, layerName, data, options, (rbm, v, p) => rbm.reconstructionErrors(v, p));
}

/**
 * Mean free energy `mean_n F(v_n)`, `F(v) = -log sum_h exp(-E(v, h))` (for binary units
 * `-v . vb - sum_j softplus((v W + b)_j)`). `log p(v) = -F(v) - log Z`: on held-out data it should
 * fall with training, and a gap that widens between training and held-out data means overfitting
 * (Hinton's practical guide, section 6). Rectified hidden units: a `ConfigError`.
 */
export function meanFreeEnergy(network: Network, layerName: string, data: MonitorData, options: MonitorOptions = {}): Promise<number> {
  return meanOver(network, layerName, data, options, (rbm, v, p) => rbm.freeEnergy(v, p));
}

/**
 * Mean pseudo-log-likelihood of binary data under a binary RBM, exact over every visible unit:
 * `PLL(v) = sum_i log p(v_i | v_-i) = sum_i log sigmoid(F(v~i) - F(v))`, `v~i` = `v` with bit `i`
 * flipped. A proxy for the log-likelihood that needs no partition function; higher is better.
 * Costs `nIn` free energies per example. Needs binary visible and hidden units (`ConfigError`).
 */
export function pseudoLogLikelihood(network: Network, layerName: string, data: MonitorData, options: MonitorOptions = {}): Promise<number> {
  const rbm = network.layers.find((l) => l.config.name === layerName);
  if (rbm instanceof Rbm && (rbm.settings.visibleUnit !== 'binary' || rbm.settings.hiddenUnit !== 'binary')) {
    throw new ConfigError(`pseudoLogLikelihood: layer "${layerName}" has ${rbm.settings.visibleUnit} visible and ${rbm.settings.hiddenUnit} hidden units; expected binary visible and binary hidden units`);
  }
  // Each example holds an [nIn, nOut] tensor: about 4M floats per pass by default.
  const size = rbm instanceof Rbm ? rbm.nIn * rbm.nOut : 1;
  const batchSize = options.batchSize ?? Math.max(1, Math.floor(4_000_000 / Math.max(1, size)));
  return meanOver(network, layerName, data, { batchSize }, (_rbm, v, p) => pseudoLogLikelihoods(v, p));
}

/**
 * Per-example exact pseudo-log-likelihood of a binary RBM (`[batch]`). Flipping bit `i` changes the
 * hidden input by `s_i W_i` (`s_i = 1 - 2 v_i`), so
 * `F(v~i) - F(v) = -s_i vb_i - sum_j (softplus(a_j + s_i W_ij) - softplus(a_j))`.
 */
export function pseudoLogLikelihoods(v: tf.Tensor, params: ParamMap): tf.Tensor {
  const W = params.W as tf.Tensor2D;
  const [nIn, nOut] = W.shape;
  const a = tf.add(tf.matMul(v as tf.Tensor2D, W), params.b as tf.Tensor); // [n, nOut]
  const s = tf.sub(1, tf.mul(2, v)); // [n, nIn]
  const n = v.shape[0] as number;
  const flipped = tf.add(tf.reshape(a, [n, 1, nOut]), tf.mul(tf.reshape(s, [n, nIn, 1]), tf.reshape(W, [1, nIn, nOut])));
  const hidden = tf.sub(tf.sum(tf.softplus(flipped), -1), tf.reshape(tf.sum(tf.softplus(a), -1), [n, 1])); // [n, nIn]
  const delta = tf.sub(tf.neg(tf.mul(s, params.vb as tf.Tensor)), hidden); // F(v~i) - F(v)
  return tf.sum(tf.logSigmoid(delta), -1);
}
