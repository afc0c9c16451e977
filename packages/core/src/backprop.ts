import * as tf from '@tensorflow/tfjs-core';
import type { ComponentDefinition } from './registry';
import { STRATEGY_CONTRACT_VERSION } from './training-strategy';
import type { TrainingStrategy } from './training-strategy';

/**
 * Standard backpropagation: the regularised score and its gradients in one tidy scope, then the
 * updaters. The default strategy of every network.
 */
export function backpropStrategy(): TrainingStrategy {
  return {
    key: 'core/backprop',
    config: { type: 'core/backprop' },
    step(target, batch) {
      return tf.tidy(() => {
        const { score, gradients } = target.scoreAndGradients(batch, true, undefined, { penalties: false });
        target.applyGradients(gradients);
        return score;
      });
    },
  };
}

/** Registry definition of {@link backpropStrategy}; every `Registry` holds it from construction. */
export const backpropDefinition: ComponentDefinition<'strategy', TrainingStrategy> = {
  kind: 'strategy',
  key: 'core/backprop',
  contractVersion: STRATEGY_CONTRACT_VERSION,
  provider: '@dl4ts/core',
  description: 'Standard backpropagation through the whole network',
  create: () => backpropStrategy(),
};
