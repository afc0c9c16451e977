import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor1D } from '@tensorflow/tfjs-core';
import { ConfigError, STRATEGY_CONTRACT_VERSION, formatValue } from '@dl4ts/core';
import type { ComponentDefinition, ResolvedConfig } from '@dl4ts/core';
import type { LineSearchOptions } from './line-search';
import type { DirectionRule, WholeVectorStrategy } from './line-search-strategy';
import { driverSettings, lineSearchStrategy } from './line-search-strategy';
import { integerOption } from './options';
import { dot, dotTensor } from './param-vector';

/** Options of {@link lbfgs}. */
export interface LbfgsOptions extends LineSearchOptions {
  /** Iterations (line searches) per minibatch, DL4J's `numIterations`. Default 1. */
  maxIterations?: number;
  /** Curvature pairs `(s, y)` kept. Default 4, DL4J's `LBFGS.m`. */
  m?: number;
}

declare module '@dl4ts/core' {
  interface StrategyConfigMap {
    'updaters/lbfgs': LbfgsOptions;
  }
}

/** Two-loop recursion over a ring of `m` curvature pairs, allocated once. */
function twoLoop(m: number): DirectionRule {
  let s: Tensor1D[] = [];
  let y: Tensor1D[] = [];
  const rho: number[] = new Array<number>(m).fill(0);
  let count = 0;
  let next = 0;
  let gamma = 1;
  /** Ring slot of the i-th newest pair. */
  const slot = (i: number) => (next - 1 - i + m) % m;
  return {
    allocate(n) {
      s = Array.from({ length: m }, () => tf.keep(tf.zeros([n])) as Tensor1D);
      y = Array.from({ length: m }, () => tf.keep(tf.zeros([n])) as Tensor1D);
      count = 0;
      next = 0;
    },
    direction(g) {
      if (count === 0) return undefined;
      let q: Tensor = g;
      const alphas: Tensor[] = [];
      for (let i = 0; i < count; i++) {
        const k = slot(i);
        const alpha = tf.mul(rho[k] as number, dotTensor(s[k] as Tensor1D, q as Tensor1D));
        alphas.push(alpha);
        q = tf.sub(q, tf.mul(alpha, y[k] as Tensor1D));
      }
      let r = tf.mul(q, gamma);
      for (let i = count - 1; i >= 0; i--) {
        const k = slot(i);
        const beta = tf.mul(rho[k] as number, dotTensor(y[k] as Tensor1D, r as Tensor1D));
        r = tf.add(r, tf.mul(s[k] as Tensor1D, tf.sub(alphas[i] as Tensor, beta)));
      }
      return tf.neg(r) as Tensor1D;
    },
    scaled: () => count > 0,
    accept({ s: step, gOld, gNew }) {
      const change = tf.sub(gNew, gOld) as Tensor1D;
      const sy = dot(step, change);
      const yy = dot(change, change);
      const ss = dot(step, step);
      // Skip pairs that break the curvature condition s'y > 0 (H must stay positive definite).
      if (!(sy > 1e-10 * Math.sqrt(ss * yy))) return;
      const k = next;
      s[k]?.dispose();
      y[k]?.dispose();
      s[k] = tf.keep(step);
      y[k] = tf.keep(change);
      rho[k] = 1 / sy;
      gamma = sy / yy;
      next = (next + 1) % m;
      count = Math.min(count + 1, m);
    },
    reset() {
      count = 0;
      next = 0;
    },
    state() {
      const values: Record<string, number> = { count, next, gamma, m };
      rho.forEach((r, i) => (values[`rho${i}`] = r));
      const tensors = new Map<string, Tensor>();
      s.forEach((t, i) => tensors.set(`s${i}`, t));
      y.forEach((t, i) => tensors.set(`y${i}`, t));
      return { values, tensors };
    },
    restore({ values, tensors }) {
      if (values.m !== m) throw new ConfigError(`updaters/lbfgs: the restored history holds ${formatValue(values.m)} pairs; this strategy keeps m = ${m}`);
      for (let i = 0; i < m; i++) {
        const si = tensors.get(`s${i}`);
        const yi = tensors.get(`y${i}`);
        const n = (s[i] as Tensor1D).size;
        if (si === undefined || yi === undefined || si.size !== n || yi.size !== n) throw new ConfigError(`updaters/lbfgs: the restored pair ${i} is missing or not of ${n} values`);
        s[i]?.dispose();
        y[i]?.dispose();
        s[i] = tf.keep(tf.reshape(si, [n]) as Tensor1D);
        y[i] = tf.keep(tf.reshape(yi, [n]) as Tensor1D);
        rho[i] = values[`rho${i}`] ?? 0;
      }
      count = values.count ?? 0;
      next = values.next ?? 0;
      gamma = values.gamma ?? 1;
    },
    dispose() {
      tf.dispose([...s, ...y]);
      s = [];
      y = [];
      count = 0;
      next = 0;
    },
  };
}

/**
 * DL4J's `LBFGS`, limited-memory BFGS on all trainable parameters as one vector: the direction
 * `d = -H g` comes from the two-loop recursion over the last `m` pairs `s = w_new - w_old`,
 * `y = g_new - g_old` (both gradients on the same minibatch), with `H0 = gamma I`,
 * `gamma = s'y / y'y` of the newest pair. Pairs with `s'y <= 0` are skipped. The first trial step
 * is `initialStep` (1), backtracked by the Armijo line search; the first iteration (no pairs yet)
 * is a steepest-descent step. The per-parameter updaters are not used.
 *
 * @example
 * ```ts
 * strategy: { type: 'updaters/lbfgs', m: 10, maxIterations: 50 }
 * ```
 */
export function lbfgs(config: ResolvedConfig): WholeVectorStrategy {
  const settings = driverSettings(config, ['m']);
  const m = integerOption(config, 'm', 4, 1);
  return lineSearchStrategy({ ...config, maxIterations: settings.maxIterations, ...settings.lineSearch, m }, settings, twoLoop(m));
}

/** Registry definition of {@link lbfgs}. */
export const lbfgsDefinition: ComponentDefinition<'strategy', WholeVectorStrategy> = {
  kind: 'strategy',
  key: 'updaters/lbfgs',
  contractVersion: STRATEGY_CONTRACT_VERSION,
  provider: '@dl4ts/updaters',
  description: 'Limited-memory BFGS with a line search (DL4J LBFGS)',
  create: lbfgs,
};
