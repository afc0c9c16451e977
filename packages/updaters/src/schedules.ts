import { ConfigError, formatValue } from '@dl4ts/core';
import type { UpdaterStep } from '@dl4ts/core';

/** Which counter a schedule reads: iterations (minibatches) or epochs done before this step. */
export type ScheduleType = 'iteration' | 'epoch';

/** `value` at every step (DL4J's FixedSchedule). */
export type FixedSchedule = { type: 'fixed'; value: number; scheduleType?: ScheduleType };
/** `initialValue * decayRate^floor(t / step)` (DL4J's StepSchedule). */
export type StepSchedule = { type: 'step'; initialValue: number; decayRate: number; step: number; scheduleType?: ScheduleType };
/** `initialValue * gamma^t` (DL4J's ExponentialSchedule). */
export type ExponentialSchedule = { type: 'exponential'; initialValue: number; gamma: number; scheduleType?: ScheduleType };
/** `initialValue / (1 + gamma * t)^power` (DL4J's InverseSchedule). */
export type InverseSchedule = { type: 'inverse'; initialValue: number; gamma: number; power: number; scheduleType?: ScheduleType };
/**
 * DL4J's PolySchedule as its code computes it: `initialValue * (1 + t / maxIter)^power` for
 * `t < maxIter`, then 0. A decay needs a negative `power`.
 */
export type PolySchedule = { type: 'poly'; initialValue: number; power: number; maxIter: number; scheduleType?: ScheduleType };
/** `initialValue / (1 + exp(-gamma * (t - stepSize)))` (DL4J's SigmoidSchedule). */
export type SigmoidSchedule = { type: 'sigmoid'; initialValue: number; gamma: number; stepSize: number; scheduleType?: ScheduleType };
/** The value of the largest key `<= t`; key `"0"` is required (DL4J's MapSchedule). */
export type MapSchedule = { type: 'map'; values: Record<string, number>; scheduleType?: ScheduleType };
/**
 * Linear warm-up, then cosine decay (DL4J's CosineWarmupSchedule when `warmupStart` is 0):
 * `warmupStart + (initialValue - warmupStart) * t / warmup` for `t < warmup`;
 * `minValue + (initialValue - minValue) * (1 + cos(pi * (t - warmup) / (maxIter - warmup))) / 2`
 * for `warmup <= t < maxIter`; `minValue` from `maxIter` on.
 */
export type CosineSchedule = {
  type: 'cosine';
  initialValue: number;
  maxIter: number;
  /** Default 0. */
  minValue?: number;
  /** Warm-up length in steps, default 0. */
  warmup?: number;
  /** Value at t = 0 when warming up, default 0. */
  warmupStart?: number;
  scheduleType?: ScheduleType;
};

/** A schedule config: plain JSON, selected by `type`; `scheduleType` defaults to `'iteration'`. */
export type Schedule = FixedSchedule | StepSchedule | ExponentialSchedule | InverseSchedule | PolySchedule | SigmoidSchedule | MapSchedule | CosineSchedule;

/** A hyper-parameter that is either constant or follows a schedule. */
export type Scheduled = number | Schedule;

type Rule = 'finite' | 'positive' | 'nonNegative' | 'positiveInteger' | 'nonNegativeInteger';

const RULES: Record<Rule, { test: (v: number) => boolean; expected: string }> = {
  finite: { test: Number.isFinite, expected: 'a finite number' },
  positive: { test: (v) => Number.isFinite(v) && v > 0, expected: 'a positive finite number' },
  nonNegative: { test: (v) => Number.isFinite(v) && v >= 0, expected: 'a finite number >= 0' },
  positiveInteger: { test: (v) => Number.isInteger(v) && v > 0, expected: 'a positive integer' },
  nonNegativeInteger: { test: (v) => Number.isInteger(v) && v >= 0, expected: 'an integer >= 0' },
};

/** Per type: required numeric fields, and optional ones with their defaults. */
const FIELDS: Record<Schedule['type'], { required: Record<string, Rule>; optional?: Record<string, [Rule, number]> }> = {
  fixed: { required: { value: 'finite' } },
  step: { required: { initialValue: 'finite', decayRate: 'finite', step: 'positive' } },
  exponential: { required: { initialValue: 'finite', gamma: 'positive' } },
  inverse: { required: { initialValue: 'finite', gamma: 'nonNegative', power: 'finite' } },
  poly: { required: { initialValue: 'finite', power: 'finite', maxIter: 'positiveInteger' } },
  sigmoid: { required: { initialValue: 'finite', gamma: 'finite', stepSize: 'finite' } },
  map: { required: {} },
  cosine: {
    required: { initialValue: 'finite', maxIter: 'positiveInteger' },
    optional: { minValue: ['finite', 0], warmup: ['nonNegativeInteger', 0], warmupStart: ['finite', 0] },
  },
};

const TYPES = Object.keys(FIELDS) as Schedule['type'][];

/**
 * Validates a constant-or-scheduled option and returns it normalised: a number as is, a schedule
 * with its defaults filled in (`scheduleType`, and the cosine options), so the result survives a
 * JSON round trip unchanged. Throws a {@link ConfigError} that starts with `context`.
 *
 * @example
 * ```ts
 * resolveSchedule({ type: 'step', initialValue: 0.1, decayRate: 0.5, step: 1000 }, 'learningRate');
 * // -> { type: 'step', initialValue: 0.1, decayRate: 0.5, step: 1000, scheduleType: 'iteration' }
 * ```
 */
export function resolveSchedule(value: unknown, context = 'schedule'): Scheduled {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ConfigError(`${context} must be a finite number or a schedule, received ${formatValue(value)}`);
    return value;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`${context} must be a number or a schedule config { type: ${TYPES.map((t) => `'${t}'`).join(' | ')}, ... }, received ${describe(value)}`);
  }
  const raw = value as Record<string, unknown>;
  const type = raw.type;
  if (typeof type !== 'string' || !(TYPES as string[]).includes(type)) {
    throw new ConfigError(`${context}: unknown schedule type ${JSON.stringify(type)}, expected one of ${TYPES.join(', ')}`);
  }
  const fields = FIELDS[type as Schedule['type']];
  const where = `${context}: ${type} schedule`;
  const allowed = ['type', 'scheduleType', ...(type === 'map' ? ['values'] : []), ...Object.keys(fields.required), ...Object.keys(fields.optional ?? {})];
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) throw new ConfigError(`${where} has unknown option "${key}", expected only ${allowed.join(', ')}`);
  }
  const out: Record<string, unknown> = { type };
  const check = (name: string, rule: Rule, v: unknown): number => {
    if (typeof v !== 'number' || !RULES[rule].test(v)) throw new ConfigError(`${where} needs ${name} as ${RULES[rule].expected}, received ${describe(v)}`);
    return v;
  };
  for (const [name, rule] of Object.entries(fields.required)) out[name] = check(name, rule, raw[name]);
  for (const [name, [rule, fallback]] of Object.entries(fields.optional ?? {})) out[name] = check(name, rule, raw[name] ?? fallback);
  if (type === 'map') out.values = resolveMap(raw.values, where);
  if (type === 'cosine' && (out.warmup as number) >= (out.maxIter as number)) {
    throw new ConfigError(`${where} needs warmup < maxIter, received warmup ${String(out.warmup)} and maxIter ${String(out.maxIter)}`);
  }
  const scheduleType = raw.scheduleType ?? 'iteration';
  if (scheduleType !== 'iteration' && scheduleType !== 'epoch') {
    throw new ConfigError(`${where} needs scheduleType 'iteration' or 'epoch', received ${describe(scheduleType)}`);
  }
  out.scheduleType = scheduleType;
  return out as Schedule;
}

function resolveMap(values: unknown, where: string): Record<string, number> {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    throw new ConfigError(`${where} needs values as an object { [step]: value } with a key "0", received ${describe(values)}`);
  }
  const out: Record<string, number> = {};
  for (const [key, v] of Object.entries(values as Record<string, unknown>)) {
    if (!/^(0|[1-9][0-9]*)$/.test(key)) throw new ConfigError(`${where}: values key "${key}" is not a step, expected an integer >= 0`);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(`${where}: values["${key}"] must be a finite number, received ${describe(v)}`);
    out[key] = v;
  }
  if (!('0' in out)) throw new ConfigError(`${where} needs values to contain key "0" (the initial value), received keys ${Object.keys(out).join(', ') || 'none'}`);
  return out;
}

const sortedKeys = new WeakMap<Record<string, number>, number[]>();

/**
 * The value of a constant or scheduled hyper-parameter at `step` (the counters core passes to the
 * updater), with DL4J's ISchedule formulas. `t` is `step.iteration` or `step.epoch` as the
 * schedule's `scheduleType` says. Expects a config checked by {@link resolveSchedule}.
 *
 * @example
 * ```ts
 * scheduleValue({ type: 'exponential', initialValue: 0.1, gamma: 0.99 }, { iteration: 10, epoch: 0 }); // 0.1 * 0.99^10
 * ```
 */
export function scheduleValue(schedule: Scheduled, step: UpdaterStep): number {
  if (typeof schedule === 'number') return schedule;
  const t = schedule.scheduleType === 'epoch' ? step.epoch : step.iteration;
  switch (schedule.type) {
    case 'fixed':
      return schedule.value;
    case 'step':
      return schedule.initialValue * schedule.decayRate ** Math.floor(t / schedule.step);
    case 'exponential':
      return schedule.initialValue * schedule.gamma ** t;
    case 'inverse':
      return schedule.initialValue / (1 + schedule.gamma * t) ** schedule.power;
    case 'poly':
      return t >= schedule.maxIter ? 0 : schedule.initialValue * (1 + t / schedule.maxIter) ** schedule.power;
    case 'sigmoid':
      return schedule.initialValue / (1 + Math.exp(-schedule.gamma * (t - schedule.stepSize)));
    case 'map':
      return mapValue(schedule.values, t);
    case 'cosine':
      return cosineValue(schedule, t);
    default:
      throw new ConfigError(`Unknown schedule type ${JSON.stringify((schedule as { type?: unknown }).type)}, expected one of ${TYPES.join(', ')}`);
  }
}

function mapValue(values: Record<string, number>, t: number): number {
  let keys = sortedKeys.get(values);
  if (keys === undefined) {
    keys = Object.keys(values)
      .map(Number)
      .sort((a, b) => a - b);
    sortedKeys.set(values, keys);
  }
  let chosen = keys[0] as number;
  for (const k of keys) {
    if (k > t) break;
    chosen = k;
  }
  return values[String(chosen)] as number;
}

function cosineValue(s: CosineSchedule, t: number): number {
  const warmup = s.warmup ?? 0;
  const minValue = s.minValue ?? 0;
  if (t < warmup) {
    const start = s.warmupStart ?? 0;
    return start + ((s.initialValue - start) * t) / warmup;
  }
  if (t >= s.maxIter) return minValue;
  const progress = (t - warmup) / (s.maxIter - warmup);
  return minValue + 0.5 * (s.initialValue - minValue) * (1 + Math.cos(Math.PI * progress));
}

/**
 * The values a schedule starts from, for range checks of the option it drives: `value`,
 * `initialValue`, or every value of a map schedule.
 */
export function scheduleStartValues(schedule: Scheduled): number[] {
  if (typeof schedule === 'number') return [schedule];
  if (schedule.type === 'fixed') return [schedule.value];
  if (schedule.type === 'map') return Object.values(schedule.values);
  return [schedule.initialValue];
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  if (typeof value === 'object') return `an object with keys ${Object.keys(value).join(', ') || 'none'}`;
  return String(value);
}
