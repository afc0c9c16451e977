import * as tf from '@tensorflow/tfjs-core';
import { formatShape, LAYER_CONTRACT_VERSION, optionNames, ShapeError } from '@dl4ts/core';
import type { ComponentDefinition, ForwardContext, Layer, LayerConfigOf, Shape } from '@dl4ts/core';

declare module '@dl4ts/core' {
  interface LayerConfigMap {
    'rnn/last-time-step': { name?: string };
  }
}

/**
 * The last step of a sequence: `[batch, time, size]` -> `[batch, size]`, so that a dense or output
 * layer can follow a recurrent one (sequence classification). With a features mask it takes each
 * example's last unmasked step, as DL4J's LastTimeStep does. No parameters.
 *
 * @example
 * ```ts
 * layers: [{ type: 'rnn/lstm', nOut: 32 }, { type: 'rnn/last-time-step' }, { type: 'layers/output', nOut: 2, activation: 'softmax', loss: 'mcxent' }]
 * ```
 */
export class LastTimeStep implements Layer {
  readonly key = 'rnn/last-time-step';

  constructor(readonly config: LayerConfigOf<{ name?: string }>) {}

  build(inputShape: Shape): Shape {
    if (inputShape.length !== 2) {
      throw new ShapeError(`Layer "${this.config.name}" (rnn/last-time-step): input has shape [${inputShape.join(', ')}] per example, expected a sequence [time, size]`, inputShape, [-1, -1]);
    }
    return [inputShape[1] as number];
  }

  forward(input: tf.Tensor, _params: unknown, context: ForwardContext): tf.Tensor {
    if (input.rank !== 3) throw new ShapeError(`Layer "${this.config.name}" (rnn/last-time-step): input has shape ${formatShape(input.shape)}, expected [batch, time, size]`, input.shape, [-1, -1, -1]);
    const [batch, time, size] = input.shape as [number, number, number];
    if (context.mask === undefined) return tf.reshape(tf.slice(input, [0, time - 1, 0], [batch, 1, size]), [batch, size]);
    // Index of the last 1 in each mask row: argmax of mask_t * (t + 1); a selection by one-hot
    // product keeps the step differentiable.
    const last = tf.argMax(tf.mul(tf.cast(context.mask, 'float32'), tf.range(1, time + 1)), 1);
    const select = tf.reshape(tf.oneHot(last, time), [batch, time, 1]);
    return tf.sum(tf.mul(input, select), 1);
  }
}

/** Registry definition of {@link LastTimeStep}. */
export const lastTimeStepDefinition: ComponentDefinition<'layer', LastTimeStep, LayerConfigOf<{ name?: string }>> = {
  kind: 'layer',
  key: 'rnn/last-time-step',
  contractVersion: LAYER_CONTRACT_VERSION,
  provider: '@dl4ts/rnn',
  description: 'Last (unmasked) step of a sequence, [batch, time, size] -> [batch, size]',
  options: optionNames<{ name?: string }>({ name: true }),
  create: (config) => new LastTimeStep(config),
};
