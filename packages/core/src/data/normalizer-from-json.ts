import { ConfigError, formatValue } from '../errors';
import type { ImageScalerJSON } from './image-scaler';
import { ImageScaler } from './image-scaler';
import type { MinMaxJSON } from './min-max';
import { MinMax } from './min-max';
import type { Normalizer } from './normalizer';
import type { StandardizeJSON } from './standardize';
import { Standardize } from './standardize';

/**
 * The JSON form of any built-in normaliser; {@link normalizerFromJSON} rebuilds it. Declared here,
 * beside the dispatch, so that the dependency runs one way: the normalisers import the base
 * class, and only this module knows them all.
 */
export type NormalizerJSON = StandardizeJSON | MinMaxJSON | ImageScalerJSON;

const READERS: Record<string, (json: unknown) => Normalizer> = {
  'core/standardize': Standardize.fromJSON,
  'core/min-max': MinMax.fromJSON,
  'core/image-scaler': ImageScaler.fromJSON,
};

/**
 * Rebuilds any built-in normaliser from its JSON, dispatching on `type`.
 *
 * @example
 * ```ts
 * const norm = normalizerFromJSON(JSON.parse(saved)); // Standardize, MinMax or ImageScaler
 * ```
 */
export function normalizerFromJSON(json: unknown): Normalizer {
  const type = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined;
  // Own keys only: `__proto__` or `toString` must not reach Object.prototype.
  const read = typeof type === 'string' && Object.hasOwn(READERS, type) ? READERS[type] : undefined;
  if (typeof json !== 'object' || json === null) throw new ConfigError(`normalizerFromJSON: expected a normaliser's JSON object { type, ... }, received ${formatValue(json)}`);
  if (read === undefined) throw new ConfigError(`normalizerFromJSON: type is ${formatValue(type)}; expected one of ${Object.keys(READERS).join(', ')}`);
  return read(json);
}
