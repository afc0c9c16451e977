import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D } from '@tensorflow/tfjs-core';
import { dot } from './param-vector';

/** Options of {@link truncatedCg}. */
export interface TruncatedCgOptions {
  readonly maxIterations: number;
  /** Martens' relative-progress tolerance epsilon (5e-4 in Martens 2010). */
  readonly tolerance: number;
  /** At non-positive curvature before any progress, the iterate returned is `fallbackScale * b`. */
  readonly fallbackScale: number;
}

/** A stored CG iterate `x_i` and its model value `phi(x_i) = x'Ax/2 - b'x`. */
export interface CgIterate {
  readonly iteration: number;
  readonly x: Tensor1D;
  readonly phi: number;
}

/** What {@link truncatedCg} returns; the caller disposes every `x` in `iterates`. */
export interface CgResult {
  /** Iterates kept for backtracking, in order; the last one is the final iterate. Empty if CG made no progress. */
  readonly iterates: CgIterate[];
  /** Matrix-vector products made (including the one for a non-zero start). */
  readonly products: number;
  /** Why CG stopped. */
  readonly stop: 'progress' | 'max-iterations' | 'negative-curvature' | 'residual';
}

/** Whether iterate `i` is one Martens keeps for backtracking: `i = ceil(1.3^j)`. */
function keptIteration(i: number): boolean {
  for (let j = 1; ; j++) {
    const k = Math.ceil(1.3 ** j);
    if (k === i) return true;
    if (k > i) return false;
  }
}

/**
 * Linear conjugate gradient on `A x = b` for a symmetric operator `A` given by products, as
 * Martens (2010) uses it: started from `x0` (unless `phi(x0) >= 0`, then from 0), stopped when
 * the quadratic `phi(x) = x'Ax/2 - b'x` makes too little relative progress,
 * `i > k, phi_i < 0, (phi_i - phi_{i-k}) / phi_i < k * tolerance` with `k = max(10, 0.1 i)`, at
 * `maxIterations`, when the residual is below 1e-6 of `|b|` (float32), or at a direction of non-positive curvature
 * (`p'Ap <= 0`, possible with an indefinite Hessian: CG keeps the iterate reached so far, or,
 * from `x = 0`, returns `fallbackScale * b`).
 */
export function truncatedCg(apply: (v: Tensor1D) => Tensor1D, b: Tensor1D, x0: Tensor1D | undefined, options: TruncatedCgOptions): CgResult {
  const iterates: CgIterate[] = [];
  let products = 0;
  let x: Tensor1D;
  let r: Tensor1D;
  let phi = 0;
  if (x0 !== undefined) {
    const ax = apply(x0);
    products++;
    r = tf.tidy(() => tf.sub(b, ax));
    phi = tf.tidy(() => -0.5 * dot(x0, tf.add(b, r) as Tensor1D));
    ax.dispose();
    if (phi < 0 && Number.isFinite(phi)) {
      x = tf.clone(x0);
    } else {
      r.dispose();
      x = tf.zerosLike(b);
      r = tf.clone(b);
      phi = 0;
    }
  } else {
    x = tf.zerosLike(b);
    r = tf.clone(b);
  }
  const bb = dot(b, b);
  let p = tf.clone(r);
  let rr = dot(r, r);
  const history = [phi];
  let stop: CgResult['stop'] = 'max-iterations';
  for (let i = 1; i <= options.maxIterations; i++) {
    if (rr <= 1e-12 * bb) {
      stop = 'residual';
      break;
    }
    const ap = apply(p);
    products++;
    const pAp = dot(p, ap);
    if (!(pAp > 0)) {
      stop = 'negative-curvature';
      if (i === 1 && phi === 0) {
        // Nothing solved yet (p = b): fall back to the steepest-descent step `fallbackScale * b`.
        const scale = options.fallbackScale;
        iterates.push({ iteration: 1, x: tf.tidy(() => tf.mul(b, scale) as Tensor1D), phi: 0.5 * scale * scale * pAp - scale * bb });
      }
      ap.dispose();
      break;
    }
    const alpha = rr / pAp;
    const nextX = tf.tidy(() => tf.add(x, tf.mul(p, alpha)) as Tensor1D);
    const nextR = tf.tidy(() => tf.sub(r, tf.mul(ap, alpha)) as Tensor1D);
    ap.dispose();
    tf.dispose([x, r]);
    x = nextX;
    r = nextR;
    phi = tf.tidy(() => -0.5 * dot(x, tf.add(b, r) as Tensor1D));
    history.push(phi);
    const nextRr = dot(r, r);
    const nextP = tf.tidy(() => tf.add(r, tf.mul(p, nextRr / rr)) as Tensor1D);
    p.dispose();
    p = nextP;
    rr = nextRr;
    if (keptIteration(i) && i < options.maxIterations) iterates.push({ iteration: i, x: tf.clone(x), phi });
    const k = Math.max(10, Math.ceil(0.1 * i));
    if (i > k && phi < 0 && (phi - (history[i - k] as number)) / phi < k * options.tolerance) {
      stop = 'progress';
      break;
    }
  }
  const lastIteration = history.length - 1;
  const last = iterates[iterates.length - 1];
  if (lastIteration > 0 && last?.iteration !== lastIteration) iterates.push({ iteration: lastIteration, x: tf.clone(x), phi });
  else if (iterates.length === 0 && phi < 0) iterates.push({ iteration: 0, x: tf.clone(x), phi }); // stopped at once from a useful x0
  tf.dispose([x, r, p]);
  return { iterates, products, stop };
}
