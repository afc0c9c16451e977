// The ceiling for the MLP case: the same training step with no tfjs at all, every product through
// the native addon's OpenBLAS call and everything else (softmax, ReLU derivative, bias sums,
// Nesterov momentum with L2) as plain JavaScript loops over preallocated Float32Arrays. dl4ts on the
// native backend is reported as a ratio to this: what tfjs's engine, autodiff and allocation cost.
import type { NativeAddon } from '@dl4ts/backend-native';
import type { Contender } from './harness';

const LR = 0.02;
const MU = 0.9;
const L2 = 1e-4;
const COLUMN_BIAS = 2;
const RELU = 1;

interface Layer {
  readonly nIn: number;
  readonly nOut: number;
  readonly w: Float32Array;
  readonly b: Float32Array;
  readonly vw: Float32Array;
  readonly vb: Float32Array;
  readonly dw: Float32Array;
  readonly db: Float32Array;
}

function layer(nIn: number, nOut: number, seed: number): Layer {
  // He-normal-ish weights from a small LCG: the values do not matter for speed, only for not diverging.
  let state = seed;
  const w = new Float32Array(nIn * nOut);
  const scale = Math.sqrt(2 / nIn);
  for (let i = 0; i < w.length; i++) {
    state = (state * 1664525 + 1013904223) >>> 0;
    w[i] = ((state / 4294967296) * 2 - 1) * scale * 1.7;
  }
  return { nIn, nOut, w, b: new Float32Array(nOut), vw: new Float32Array(w.length), vb: new Float32Array(nOut), dw: new Float32Array(w.length), db: new Float32Array(nOut) };
}

/** Nesterov momentum in DL4J's form, with `l2 w` added to the gradient when `l2 > 0`. */
function nesterov(w: Float32Array, v: Float32Array, g: Float32Array, l2: number): void {
  for (let i = 0; i < w.length; i++) {
    const gi = (g[i] as number) + l2 * (w[i] as number);
    const decayed = MU * (v[i] as number);
    const next = decayed - LR * gi;
    v[i] = next;
    w[i] = (w[i] as number) - (decayed - (1 + MU) * next);
  }
}

/** The bare-loop contender over `x` [n, 784] and one-hot `y` [n, 10], batch 128. */
export function bareMlp(addon: NativeAddon, x: Float32Array, y: Float32Array, n: number, sizes: readonly number[], flopsPerUnit: number): Contender {
  const batch = 128;
  const layers = sizes.slice(1).map((nOut, i) => layer(sizes[i] as number, nOut, 7 + i));
  const acts = layers.map((l) => new Float32Array(batch * l.nOut));
  const grads = layers.map((l) => new Float32Array(batch * l.nOut));
  const inputGrads = layers.map((l) => new Float32Array(batch * l.nIn));
  const step = (xb: Float32Array, yb: Float32Array, rows: number) => {
    // Forward: ReLU layers fused in the product's epilogue, the last one linear.
    let input = xb;
    layers.forEach((l, i) => {
      const last = i === layers.length - 1;
      addon.matMul(input, l.w, acts[i] as Float32Array, 1, 1, rows, l.nOut, l.nIn, false, false, l.b, COLUMN_BIAS, last ? 0 : RELU, 0);
      input = acts[i] as Float32Array;
    });
    // Softmax cross-entropy: dz = (softmax(z) - y) / rows.
    const top = layers.length - 1;
    const z = acts[top] as Float32Array;
    const dz = grads[top] as Float32Array;
    const k = (layers[top] as Layer).nOut;
    for (let r = 0; r < rows; r++) {
      let m = -Infinity;
      for (let j = 0; j < k; j++) m = Math.max(m, z[r * k + j] as number);
      let s = 0;
      for (let j = 0; j < k; j++) s += Math.exp((z[r * k + j] as number) - m);
      for (let j = 0; j < k; j++) dz[r * k + j] = (Math.exp((z[r * k + j] as number) - m) / s - (yb[r * k + j] as number)) / rows;
    }
    // Backward.
    for (let i = top; i >= 0; i--) {
      const l = layers[i] as Layer;
      const g = grads[i] as Float32Array;
      const below = i === 0 ? xb : (acts[i - 1] as Float32Array);
      addon.matMul(below, g, l.dw, 1, 1, l.nIn, l.nOut, rows, true, false, null, 0, 0, 0);
      l.db.fill(0);
      for (let r = 0; r < rows; r++) for (let j = 0; j < l.nOut; j++) l.db[j] = (l.db[j] as number) + (g[r * l.nOut + j] as number);
      if (i > 0) {
        const dIn = inputGrads[i] as Float32Array;
        addon.matMul(g, l.w, dIn, 1, 1, rows, l.nIn, l.nOut, false, true, null, 0, 0, 0);
        const a = acts[i - 1] as Float32Array;
        const gBelow = grads[i - 1] as Float32Array;
        for (let e = 0; e < rows * l.nIn; e++) gBelow[e] = (a[e] as number) > 0 ? (dIn[e] as number) : 0;
      }
      nesterov(l.w, l.vw, l.dw, L2);
      nesterov(l.b, l.vb, l.db, 0);
    }
  };
  return {
    name: 'bare loop: the addon\'s sgemm + JavaScript loops, no tfjs (ceiling)',
    flopsPerUnit,
    async round() {
      for (let start = 0; start + batch <= n; start += batch) {
        step(x.subarray(start * 784, (start + batch) * 784), y.subarray(start * 10, (start + batch) * 10), batch);
      }
      return n - (n % batch);
    },
    dispose: () => undefined,
  };
}
