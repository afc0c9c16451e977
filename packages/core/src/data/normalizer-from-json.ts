import { ConfigError } from '../errors';
import { ImageScaler } from './image-scaler';
import { MinMax } from './min-max';
import type { Normalizer } from './normalizer';
import { Standardize } from './standardize';

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
  const read = typeof type === 'string' ? READERS[type] : undefined;
  if (read === undefined) throw new ConfigError(`normalizerFromJSON: type is ${JSON.stringify(type)}; expected one of ${Object.keys(READERS).join(', ')}`);
  return read(json);
}
