import { defaultRegistry } from '@dl4ts/core';
import { registerLayers } from '@dl4ts/layers';
import type { ComponentDefinition, Plugin, Registry } from '@dl4ts/core';
import { bidirectionalDefinition } from './bidirectional';
import { embeddingSequenceDefinition } from './embedding-sequence';
import { gruDefinition } from './gru';
import { lastTimeStepDefinition } from './last-time-step';
import { gravesLstmDefinition, lstmDefinition } from './lstm';
import { rnnOutputDefinition } from './rnn-output';
import { simpleRnnDefinition } from './simple-rnn';
import { truncatedBpttDefinition } from './truncated-bptt';

const definitions: readonly ComponentDefinition[] = [
  simpleRnnDefinition,
  lstmDefinition,
  gravesLstmDefinition,
  gruDefinition,
  rnnOutputDefinition,
  lastTimeStepDefinition,
  embeddingSequenceDefinition,
  truncatedBpttDefinition,
];

/**
 * Every recurrent layer and the truncated BPTT strategy, for `registry`: the bidirectional wrapper
 * resolves the layer it wraps through it, so it can wrap a plugin's recurrent layer too.
 */
export function rnnPlugin(registry: Registry): Plugin {
  return { name: '@dl4ts/rnn', definitions: [...definitions, bidirectionalDefinition(registry)] };
}

/**
 * Registers this package's components (idempotent), and `@dl4ts/layers` (a dependency), whose
 * activations and weight initialisers its layers use. The output layer's loss comes from a loss
 * package the application registers.
 *
 * @example
 * ```ts
 * registerRnn(); // into the default registry
 * ```
 */
export function registerRnn(registry: Registry = defaultRegistry): Registry {
  registerLayers(registry);
  return registry.use(rnnPlugin(registry));
}
