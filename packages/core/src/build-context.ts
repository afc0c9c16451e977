import type { Activation } from './activation';
import { ConfigError } from './errors';
import type { BuildContext, ParamDeclaration } from './layer';
import type { Loss } from './loss';
import type { Registry } from './registry';
import type { WeightInit } from './weight-init';

/** The activation of a layer whose config names none. */
export const DEFAULT_ACTIVATION = 'core/identity';
/** The weight initialiser of a layer whose config names none (DL4J's default). */
export const DEFAULT_WEIGHT_INIT = 'core/xavier';

/**
 * The {@link BuildContext} a layer builds in: components resolved through `registry`, parameter
 * declarations appended to `declarations` (a name declared twice is a {@link ConfigError}).
 */
export function createBuildContext(registry: Registry, declarations: ParamDeclaration[]): BuildContext {
  return {
    activation: (ref) => registry.create<Activation>('activation', ref ?? DEFAULT_ACTIVATION),
    weightInit: (ref) => registry.create<WeightInit>('weightInit', ref ?? DEFAULT_WEIGHT_INIT),
    loss: (ref) => registry.create<Loss>('loss', ref),
    addParam: (declaration) => {
      if (declarations.some((d) => d.name === declaration.name)) throw new ConfigError(`A layer declared parameter "${declaration.name}" twice`);
      declarations.push(declaration);
    },
  };
}
