// The command line every model-quality runner shares: its own options (strings, the settings a
// run is resumed under) beside the ones that only say how or where to run it.
import { parseArgs } from 'node:util';

/** Options that say how or where to run, not what is trained: never part of a run's settings. */
const RUN_OPTIONS = {
  name: { type: 'string' },
  backend: { type: 'string', default: 'native' },
  until: { type: 'string' },
  fresh: { type: 'boolean', default: false },
} as const;

export interface RunArgs<K extends string> {
  /** The run's name (its folder under ~/.cache/dl4ts-runs), `--name` or the runner's default. */
  readonly name: string;
  readonly backend: string;
  readonly fresh: boolean;
  /** `--until ISO-TIME` as epoch milliseconds; Infinity without it. */
  readonly deadline: number;
  /** The runner's own options as given: what a resumed run must match. */
  readonly settings: Record<K, string>;
  /** One of the runner's own options as a number. */
  num(key: K): number;
  /** Whether a mode flag (a boolean option outside the settings) was given. */
  flag(key: string): boolean;
}

/**
 * Parses `--name --backend --until --fresh`, the runner's own string options (`own`: name to
 * default) and its mode flags (booleans, like `--samples`, kept out of the settings).
 *
 * @example
 * ```ts
 * const args = runArgs('mlp', { lr: '0.05', batch: '128' });
 * args.num('lr'); // 0.05, or --lr
 * ```
 */
export function runArgs<K extends string>(defaultName: string, own: Record<K, string>, flags: readonly string[] = []): RunArgs<K> {
  const options: Record<string, { type: 'string' | 'boolean'; default?: string | boolean }> = { ...RUN_OPTIONS };
  for (const [key, value] of Object.entries<string>(own)) options[key] = { type: 'string', default: value };
  for (const key of flags) options[key] = { type: 'boolean', default: false };
  const { values } = parseArgs({ options });
  const settings = Object.fromEntries(Object.keys(own).map((key) => [key, values[key] as string])) as Record<K, string>;
  const until = values.until as string | undefined;
  return {
    name: (values.name as string | undefined) ?? defaultName,
    backend: values.backend as string,
    fresh: values.fresh as boolean,
    deadline: until === undefined ? Number.POSITIVE_INFINITY : Date.parse(until),
    settings,
    num: (key) => Number(settings[key]),
    flag: (key) => values[key] === true,
  };
}
