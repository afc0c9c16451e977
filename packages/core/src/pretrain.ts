import * as tf from '@tensorflow/tfjs-core';
import type { BuiltModel, ModelNode } from './built-model';
import { epochShuffleRng } from './built-model';
import type { BatchSource } from './data-set';
import { ConfigError } from './errors';
import { epochsAndBatchSize } from './fit-loop';
import { forwardContext, inputOfNode } from './forward-pass';
import { checkFeatures } from './input-checks';
import type { Layer, PretrainableLayer } from './layer';
import { isPretrainable } from './layer';
import { layerParams } from './param-store';
import { Rng } from './random';
import type { AnyBatch } from './training-strategy';
import { disposeBatch, toMultiBatch } from './training-strategy';
import { applyGradients } from './update-pipeline';

/** Options of `Network.pretrainLayer`. */
export interface PretrainOptions {
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** Default true. */
  shuffle?: boolean;
}

/**
 * Greedy layer-wise pretraining of one pretrainable layer on the output of the layers below it,
 * computed in inference mode; only features are used. Returns each epoch's mean unsupervised score.
 */
export async function pretrainLayer(model: BuiltModel, layerName: string, data: BatchSource<AnyBatch>, options: PretrainOptions): Promise<number[]> {
  const index = model.nodes.findIndex((n) => n.layer !== undefined && n.name === layerName);
  if (index < 0) throw new ConfigError(`pretrainLayer: no layer named "${layerName}"; layers: ${model.layers.map((l) => l.config.name).join(', ')}`);
  const layer = (model.nodes[index] as ModelNode).layer as Layer;
  if (!isPretrainable(layer)) throw new ConfigError(`pretrainLayer: layer "${layerName}" (${layer.key}) is not pretrainable`);
  const { epochs, batchSize } = epochsAndBatchSize('pretrainLayer', options);
  const { counters, params } = model;
  const scores: number[] = [];
  for (let e = 0; e < epochs; e++) {
    let sum: tf.Tensor = tf.scalar(0);
    let batches = 0;
    // Pretraining does not advance the epoch counter, so each epoch's order also depends on the
    // iteration counter: a new order every epoch, and the same order in a resumed run.
    const order = options.shuffle === false ? undefined : new Rng(epochShuffleRng(model.seed, counters.epoch).nextUint32() ^ Math.imul(counters.iteration + 1, 0x85ebca6b));
    try {
      for await (const batch of data.batches(batchSize, order)) {
        try {
          const { features } = toMultiBatch(batch);
          features.forEach((f, k) => checkFeatures(model, f, k));
          const score = pretrainStep(model, index, layer, features);
          // State the layer proposed (persistent CD chains, for instance) is committed as in fit.
          params.commitState();
          const next = tf.add(sum, score);
          tf.dispose([sum, score]);
          sum = next;
          batches++;
        } finally {
          params.discardState();
          disposeBatch(batch);
        }
      }
    } catch (error) {
      sum.dispose();
      throw error;
    }
    scores.push(batches === 0 ? Number.NaN : ((await sum.data())[0] as number) / batches);
    sum.dispose();
  }
  return scores;
}

/** One step: the layer's input, its unsupervised gradients, the update pipeline, the counter. */
function pretrainStep(model: BuiltModel, index: number, layer: PretrainableLayer, features: readonly tf.Tensor[]): tf.Tensor {
  return tf.tidy(() => {
    const all = model.params.current();
    const x = inputOfNode(model, index, features, all);
    const { score, gradients } = layer.pretrainGradients(x, layerParams(layer, all), forwardContext(model, true, layer));
    // Layer-wise scores carry no penalty; applyGradients adds its gradient to the update.
    const prefix = `${layer.config.name}/`;
    const keyed = new Map(Object.entries(gradients).map(([name, g]): [string, tf.Tensor] => [prefix + name, g]));
    applyGradients(model.params, model.layers, keyed, { iteration: model.counters.iteration, epoch: model.counters.epoch });
    model.counters.iteration++;
    return score;
  });
}
