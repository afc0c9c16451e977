import { defaultRegistry } from '@dl4ts/core';
import type { Plugin, Registry } from '@dl4ts/core';
import { adadeltaDefinition } from './adadelta';
import { adagradDefinition } from './adagrad';
import { adamDefinition } from './adam';
import { adamaxDefinition } from './adamax';
import { amsgradDefinition } from './amsgrad';
import { nadamDefinition } from './nadam';
import { nesterovsDefinition } from './nesterovs';
import { noneDefinition } from './none';
import { optimizerDefinitions } from './optimizers';
import { rmspropDefinition } from './rmsprop';
import { sgdDefinition } from './sgd';

/**
 * Every updater of this package, and the whole-vector optimisation strategies (`strategy` kind:
 * line gradient descent, conjugate gradient, L-BFGS, Hessian-free). The registry also accepts
 * short names and DL4J's enum names: `'adam'`, `'ADAM'`, `'AMSGRAD'`, `'RMSPROP'`, `'NONE'`,
 * `'LBFGS'`, `'CONJUGATE_GRADIENT'`, ...
 */
export const updatersPlugin: Plugin = {
  name: '@dl4ts/updaters',
  definitions: [
    sgdDefinition,
    nesterovsDefinition,
    adamDefinition,
    adamaxDefinition,
    nadamDefinition,
    amsgradDefinition,
    adagradDefinition,
    adadeltaDefinition,
    rmspropDefinition,
    noneDefinition,
    ...optimizerDefinitions,
  ],
};

/** Registers this package's updaters and optimisation strategies (idempotent). */
export function registerUpdaters(registry: Registry = defaultRegistry): Registry {
  return registry.use(updatersPlugin);
}
