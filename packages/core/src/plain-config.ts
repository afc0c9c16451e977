import { ConfigError } from './errors';

/** What a value is, for a message: `a function`, `a Date`, `a Tensor`, `a bigint`. */
function kindOf(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value !== 'object' || value === null) return `a ${typeof value}`;
  const name = Object.getPrototypeOf(value)?.constructor?.name as string | undefined;
  return name === undefined ? 'an object without a prototype' : `a ${name}`;
}

/**
 * Requires a model config to be plain data (what JSON holds: objects, arrays, strings, numbers,
 * booleans, null), as it is saved with the model and loaded back: a function, a class instance (a
 * Date, a tensor, a Map), a symbol, a bigint or a circular reference is a {@link ConfigError}
 * naming where it is and what to give instead.
 */
export function checkPlainConfig(owner: string, config: unknown): void {
  const seen = new Set<object>();
  const walk = (value: unknown, path: string): void => {
    if (value === null || value === undefined || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return;
    const hint = typeof value === 'function' ? ' (components are named by their registry key, e.g. "relu", or a { type, ...options } object; register custom ones as plugins)' : '';
    if (typeof value !== 'object') throw new ConfigError(`${owner}: ${path} is ${kindOf(value)}; a config holds plain data (objects, arrays, strings, numbers, booleans)${hint}`);
    const proto: unknown = Object.getPrototypeOf(value);
    if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
      throw new ConfigError(`${owner}: ${path} is ${kindOf(value)}; a config holds plain data (objects, arrays, strings, numbers, booleans), as it is saved with the model`);
    }
    if (seen.has(value)) throw new ConfigError(`${owner}: ${path} refers back to an object that contains it (a circular reference); a config must be a tree of plain data`);
    seen.add(value);
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
    else for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
    seen.delete(value);
  };
  walk(config, 'config');
}
