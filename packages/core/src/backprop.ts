import * as tf from '@tensorflow/tfjs-core';
import type { ComponentDefinition } from './registry';
import { STRATEGY_CONTRACT_VERSION } from './training-strategy';
import type { TrainingStrategy } from './training-strategy';

/**
 * Standard backpropagation: score and gradients by tfjs autodiff in one tidy scope, then the
 * updaters. The default strategy of every network.
 */
export function backpropStrategy(): TrainingStrategy {
  return {
    key: 'core/backprop',
    config: { type: 'core/backprop' },
    step(target, batch) {
      return tf.tidy(() => {
        const names = [...target.trainableParams().keys()];
        const values = [...target.trainableParams().values()];
        const { value, grads } = tf.valueAndGrads((...params: tf.Tensor[]) =>
          target.score(batch, true, new Map(names.map((name, i) => [name, params[i] as tf.Tensor]))),
        )(values);
        target.applyGradients(new Map(names.map((name, i) => [name, grads[i] as tf.Tensor])));
        return value;
      });
    },
  };
}

/** Registry definition of {@link backpropStrategy}, installed by `registerCore`. */
export const backpropDefinition: ComponentDefinition<'strategy', TrainingStrategy> = {
  kind: 'strategy',
  key: 'core/backprop',
  contractVersion: STRATEGY_CONTRACT_VERSION,
  provider: '@dl4ts/core',
  description: 'Standard backpropagation through the whole network',
  create: () => backpropStrategy(),
};
