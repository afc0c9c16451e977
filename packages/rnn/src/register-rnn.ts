import { defaultRegistry } from '@dl4ts/core';
import type { Plugin, Registry } from '@dl4ts/core';
import { gruDefinition } from './gru';
import { lastTimeStepDefinition } from './last-time-step';
import { gravesLstmDefinition, lstmDefinition } from './lstm';
import { rnnOutputDefinition } from './rnn-output';
import { simpleRnnDefinition } from './simple-rnn';
import { truncatedBpttDefinition } from './truncated-bptt';

/** Every recurrent layer and the truncated BPTT strategy. */
export const rnnPlugin: Plugin = {
  name: '@dl4ts/rnn',
  definitions: [simpleRnnDefinition, lstmDefinition, gravesLstmDefinition, gruDefinition, rnnOutputDefinition, lastTimeStepDefinition, truncatedBpttDefinition],
};

/**
 * Registers this package's components (idempotent). Its layers use activations and weight
 * initialisers from `@dl4ts/layers` (`registerLayers`), and a loss package for the output layer.
 *
 * @example
 * ```ts
 * registerRnn(); // into the default registry
 * ```
 */
export function registerRnn(registry: Registry = defaultRegistry): Registry {
  return registry.use(rnnPlugin);
}
