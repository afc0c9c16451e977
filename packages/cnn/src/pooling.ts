import { ConfigError, formatValue } from '@dl4ts/core';
import { numberOption } from '@dl4ts/layers';

/** How a window is reduced: its maximum, mean, sum, or p-norm `(sum |x|^p)^(1/p)`. */
export type PoolingType = 'max' | 'avg' | 'sum' | 'pnorm';

/** DL4J's `PoolingType` names, accepted beside the lower-case ones. */
export type PoolingTypeName = PoolingType | 'MAX' | 'AVG' | 'SUM' | 'PNORM';

const TYPES: Readonly<Record<string, PoolingType>> = { max: 'max', avg: 'avg', sum: 'sum', pnorm: 'pnorm', MAX: 'max', AVG: 'avg', SUM: 'sum', PNORM: 'pnorm' };

/** The pooling type and, for `pnorm`, its `p` (an integer >= 1, default 2). */
export function poolingOptions(owner: string, options: Readonly<Record<string, unknown>>): { type: PoolingType; p: number } {
  const name = options.poolingType;
  const type = name === undefined ? 'max' : TYPES[name as string];
  if (type === undefined) throw new ConfigError(`${owner}: poolingType must be one of "max", "avg", "sum", "pnorm" (or DL4J's MAX, AVG, SUM, PNORM), received ${formatValue(name)}`);
  if (type !== 'pnorm' && options.pnorm !== undefined) throw new ConfigError(`${owner}: pnorm applies to poolingType "pnorm", received pnorm ${formatValue(options.pnorm)} with poolingType "${type}"`);
  const p = numberOption(owner, options, 'pnorm', 2, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1');
  return { type, p };
}
