import { ConfigError } from './errors';
import type { BuildContext, ParamDeclaration } from './layer';
import type { Registry } from './registry';

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
    activation: (ref) => registry.create('activation', ref ?? DEFAULT_ACTIVATION),
    weightInit: (ref) => registry.create('weightInit', ref ?? DEFAULT_WEIGHT_INIT),
    loss: (ref) => registry.create('loss', ref),
    addParam: (declaration) => {
      if (declarations.some((d) => d.name === declaration.name)) throw new ConfigError(`A layer declared parameter "${declaration.name}" twice`);
      declarations.push(declaration);
    },
  };
}
