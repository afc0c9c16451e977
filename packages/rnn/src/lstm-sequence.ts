import * as tf from '@tensorflow/tfjs-core';
import { fusedLstmRun } from './lstm-sequence-fused';

/** What {@link lstmSequence} returns: every step's output and the state after the last step. */
export interface LstmSequenceResult {
  /** `[batch, time, n]`; 0 at masked steps. */
  output: tf.Tensor3D;
  h: tf.Tensor2D;
  c: tf.Tensor2D;
}

/** Step `t` of a `[batch, time, width]` series, as `[batch, width]`. */
const at = (series: tf.Tensor[], t: number) => series[t] as tf.Tensor2D;

/** The `[batch, ...]` steps of a `[batch, time, ...]` tensor. */
const steps = (x: tf.Tensor): tf.Tensor[] => tf.unstack(x, 1);

/** Gate block `k` `[batch, n]` of `[batch, 4 n]`. */
const block = (z: tf.Tensor, k: number, n: number): tf.Tensor => tf.slice(z, [0, k * n], [-1, n]);

/**
 * The recurrence of an LSTM without peepholes (sigmoid gates, tanh cell), with its backward pass
 * written by hand instead of recorded by autodiff:
 *
 * ```
 * z_t = xw_t + h_{t-1} RW         [i, f, g, o] = [σ, σ, tanh, σ](z_t)
 * c_t = f c_{t-1} + i g           h_t = o tanh(c_t)
 * ```
 *
 * `xw` `[batch, time, 4n]` is `x W + b` of every step, computed by the caller in one product. At a
 * masked step (mask 0) the state is held and the output is 0.
 *
 * Why: recorded per step, autodiff replays about forty small kernels per step backwards. Here
 * every coefficient of the backward recurrence that does not depend on the incoming gradient
 * (`o (1 - tanh² c)`, the gate derivatives times their partners) is computed for all steps at
 * once, the time loop keeps only the recurrence (one product and a few element-wise kernels per
 * step), and `dRW` is one product over all steps. A backend that offers the fused LSTM kernels
 * (the native one) runs the whole recurrence and its backward pass in one kernel each instead.
 */
export function lstmSequence(xw: tf.Tensor3D, rw: tf.Tensor2D, h0: tf.Tensor2D, c0: tf.Tensor2D, mask?: tf.Tensor): LstmSequenceResult {
  const [batch, time, width] = xw.shape;
  const n = width / 4;
  // [batch, time, 1] of 0/1, or undefined: a constant, saved for the backward pass.
  const m3 = mask === undefined ? undefined : tf.reshape(tf.cast(mask, 'float32'), [batch, time, 1]);
  const fused = fusedLstmRun(xw, m3 === undefined ? undefined : tf.reshape(m3, [batch, time]));
  const run = fused ?? tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, hInit, cInit] = args as tf.Tensor[];
    const save = args[4] as tf.GradSaveFunc;
    const xs = steps(x as tf.Tensor);
    const masks = m3 === undefined ? undefined : steps(m3);
    let h = hInit as tf.Tensor;
    let c = cInit as tf.Tensor;
    const hs: tf.Tensor[] = [];
    const cs: tf.Tensor[] = [];
    const gates: tf.Tensor[] = [];
    const cells: tf.Tensor[] = [];
    const tanhCells: tf.Tensor[] = [];
    for (let t = 0; t < time; t++) {
      const z = tf.add(at(xs, t), tf.matMul(h as tf.Tensor2D, w as tf.Tensor2D));
      const s = tf.sigmoid(z);
      const [i, f, o] = [block(s, 0, n), block(s, 1, n), block(s, 3, n)];
      const g = tf.tanh(block(z, 2, n));
      const cNext = tf.add(tf.mul(f, c), tf.mul(i, g));
      const tc = tf.tanh(cNext);
      const hNext = tf.mul(o, tc);
      const m = masks?.[t];
      if (m === undefined) {
        h = hNext;
        c = cNext;
      } else {
        const keep = tf.sub(1, m);
        h = tf.add(tf.mul(m, hNext), tf.mul(keep, h));
        c = tf.add(tf.mul(m, cNext), tf.mul(keep, c));
      }
      hs.push(h);
      cs.push(c);
      gates.push(s);
      cells.push(g);
      tanhCells.push(tc);
    }
    const states = tf.stack(hs, 1);
    const saved = [tf.stack(gates, 1), tf.stack(cells, 1), tf.stack(tanhCells, 1), states, tf.stack(cs, 1), w as tf.Tensor, hInit as tf.Tensor, cInit as tf.Tensor];
    save(m3 === undefined ? saved : [...saved, m3]);
    // One output tensor (customGrad's rule): the states h_0..h_{T-1}, then c_{T-1} as step T.
    const value = tf.concat([states, tf.expandDims(c, 1)], 1);
    const gradFunc = (dy: tf.Tensor, kept: tf.Tensor[]) => lstmBackward(dy, kept, time, n);
    return { value, gradFunc };
  });
  const packed = run(xw, rw, h0, c0);
  const states = tf.slice(packed, [0, 0, 0], [-1, time, -1]) as tf.Tensor3D;
  const h = tf.reshape(tf.slice(packed, [0, time - 1, 0], [-1, 1, -1]), [batch, n]) as tf.Tensor2D;
  const c = tf.reshape(tf.slice(packed, [0, time, 0], [-1, 1, -1]), [batch, n]) as tf.Tensor2D;
  return { output: m3 === undefined ? states : tf.mul(states, m3), h, c };
}

/** Gradients of {@link lstmSequence}'s packed output with respect to `xw`, `RW`, `h0` and `c0`. */
function lstmBackward(dy: tf.Tensor, kept: tf.Tensor[], time: number, n: number): tf.Tensor[] {
  const [gates, cells, tanhCells, states, cs, rw, h0, c0, m3] = kept as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor3D | undefined];
  const batch = h0.shape[0];
  const gateSeries = (k: number) => tf.slice(gates, [0, 0, k * n], [-1, -1, n]);
  const [i, f, o] = [gateSeries(0), gateSeries(1), gateSeries(3)];
  const previous = (series: tf.Tensor3D, first: tf.Tensor2D) =>
    time === 1 ? tf.expandDims(first, 1) : tf.concat([tf.expandDims(first, 1), tf.slice(series, [0, 0, 0], [-1, time - 1, -1])], 1);
  const cPrev = previous(cs, c0);
  const sigmoidSlope = (s: tf.Tensor) => tf.mul(s, tf.sub(1, s));
  // dL/dc_t gets dL/dh_t times a; dz_t = [dc, dc, dc, dh] k_t (gate blocks i, f, g, o).
  const a = tf.mul(o, tf.sub(1, tf.square(tanhCells)));
  let k: tf.Tensor = tf.concat([tf.mul(cells, sigmoidSlope(i)), tf.mul(cPrev, sigmoidSlope(f)), tf.mul(i, tf.sub(1, tf.square(cells))), tf.mul(tanhCells, sigmoidSlope(o))], 2);
  let carry: tf.Tensor = f;
  if (m3 !== undefined) {
    k = tf.mul(k, m3);
    carry = tf.mul(f, m3);
  }
  const as = steps(a);
  const ks = steps(k);
  const carries = steps(carry);
  const keeps = m3 === undefined ? undefined : steps(tf.sub(1, m3));
  // Steps 0..T-1 of dy are the states' gradients; step T is c's.
  const dStates = steps(dy);
  const rwT = tf.transpose(rw);
  let dc: tf.Tensor = dStates[time] as tf.Tensor;
  let dh: tf.Tensor | undefined;
  const dz: tf.Tensor[] = new Array<tf.Tensor>(time);
  for (let t = time - 1; t >= 0; t--) {
    const dhTotal = dh === undefined ? at(dStates, t) : tf.add(dh, at(dStates, t));
    const dcTotal = dc;
    const dcu = tf.add(dcTotal, tf.mul(dhTotal, at(as, t)));
    const dzt = tf.mul(tf.concat([dcu, dcu, dcu, dhTotal], 1), at(ks, t));
    dz[t] = dzt;
    dh = tf.matMul(dzt as tf.Tensor2D, rwT);
    dc = tf.mul(dcu, at(carries, t));
    // A masked step held its state: the gradient of the held state passes through unchanged.
    const keep = keeps?.[t];
    if (keep !== undefined) {
      dh = tf.add(dh, tf.mul(keep, dhTotal));
      dc = tf.add(dc, tf.mul(keep, dcTotal));
    }
  }
  const dxw = tf.stack(dz, 1);
  const hPrev = tf.reshape(previous(states, h0), [batch * time, n]) as tf.Tensor2D;
  const drw = tf.matMul(hPrev, tf.reshape(dxw, [batch * time, 4 * n]) as tf.Tensor2D, true, false);
  return [dxw, drw, dh as tf.Tensor, dc];
}
