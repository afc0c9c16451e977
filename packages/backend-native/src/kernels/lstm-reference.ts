// The LSTM sequence of @dl4ts/rnn's lstmSequence (gate blocks i, f, g, o; a masked step holds
// the state and outputs 0) in float64, forward and backward, with a running error bound on every
// value (Higham, "Accuracy and Stability of Numerical Algorithms", Sec. 3.3): each quantity carries
// the bound of how far a float32 evaluation of the same formulas may be from it. An operation's
// bound is its operands' bounds carried through its partial derivatives (first order), plus its
// own rounding: u |result| for +, -, * (u = 2^-24); gamma_K sum|terms| for a dot product of K terms
// in any order (OpenBLAS's recurrent products, any kernel); libmvec's exp and tanh within 4 ulp.
// The formulas are grouped as the native kernels (native/lstm.cc) and the op path group them.
import { U32, gamma, ulps } from './error-bounds';

/** A float64 value and the bound on a float32 evaluation's distance from it. */
interface Bounded {
  v: number;
  e: number;
}

const exact = (v: number): Bounded => ({ v, e: 0 });
const round = (v: number, e: number): Bounded => ({ v, e: e + U32 * Math.abs(v) });
const add = (a: Bounded, b: Bounded): Bounded => round(a.v + b.v, a.e + b.e);
const mul = (a: Bounded, b: Bounded): Bounded => round(a.v * b.v, Math.abs(a.v) * b.e + Math.abs(b.v) * a.e);
const oneMinus = (a: Bounded): Bounded => round(1 - a.v, a.e);
/** sigma(z) = 1 / (1 + exp(-z)): the slope sigma (1 - sigma) <= 1/4, exp's 4 ulp, the add and the divide. */
function sigmoid(z: Bounded): Bounded {
  const s = 1 / (1 + Math.exp(-z.v));
  return { v: s, e: s * (1 - s) * z.e + ulps(5, s) };
}
/** tanh: the slope 1 - tanh^2, libmvec's 4 ulp. */
function tanh(z: Bounded): Bounded {
  const t = Math.tanh(z.v);
  return { v: t, e: (1 - t * t) * z.e + ulps(4, t) };
}
/** sum_k a_k b_k (+ c), K terms (K + 1 with c): gamma_K sum |terms| plus the operands' bounds. */
function dot(a: Bounded[], b: number[], c?: Bounded): Bounded {
  let v = c?.v ?? 0;
  let abs = Math.abs(v);
  let e = c?.e ?? 0;
  a.forEach((x, k) => {
    const y = b[k] as number;
    v += x.v * y;
    abs += Math.abs(x.v * y);
    e += x.e * Math.abs(y);
  });
  return { v, e: e + gamma(a.length + (c === undefined ? 0 : 1)) * abs };
}

/** Inputs as in the fused kernels: xw [B, T, 4n], rw [n, 4n], h0 and c0 [B, n], mask [B, T] of 0/1 (or undefined). */
export interface LstmInputs {
  readonly batch: number;
  readonly time: number;
  readonly n: number;
  readonly xw: Float32Array;
  readonly rw: Float32Array;
  readonly h0: Float32Array;
  readonly c0: Float32Array;
  readonly mask?: Float32Array;
}

/** Values and bounds, flat, in the layout of the tensors they stand for. */
export interface BoundedArray {
  readonly values: Float64Array;
  readonly bounds: Float64Array;
}

const flat = (items: Bounded[]): BoundedArray => ({ values: Float64Array.from(items, (x) => x.v), bounds: Float64Array.from(items, (x) => x.e) });

/**
 * The test's function: output, h, c, then `score = sum(output wOut) + sum(h wh) + sum(c wc)` and its
 * gradients with respect to xw, rw, h0 and c0, each with its bound.
 */
export function lstmReference(x: LstmInputs, wOut: Float32Array, wh: Float32Array, wc: Float32Array): BoundedArray[] {
  const { batch: B, time: T, n } = x;
  const G = 4 * n;
  const rwColumn = (j: number) => Array.from({ length: n }, (_, k) => x.rw[k * G + j] as number);
  const rwRow = (k: number) => Array.from(x.rw.subarray(k * G, (k + 1) * G));
  const maskAt = (b: number, t: number) => (x.mask === undefined ? 1 : (x.mask[b * T + t] as number));
  // Forward, saving what the backward pass reads.
  const hs: Bounded[][][] = []; // [b][t + 1][n]: h_{-1} = h0, then h_0..h_{T-1}
  const cs: Bounded[][][] = [];
  const gates: Bounded[][][] = []; // [b][t][4n] after the activations
  const tcs: Bounded[][][] = [];
  for (let b = 0; b < B; b++) {
    hs.push([Array.from(x.h0.subarray(b * n, (b + 1) * n), exact)]);
    cs.push([Array.from(x.c0.subarray(b * n, (b + 1) * n), exact)]);
    gates.push([]);
    tcs.push([]);
    for (let t = 0; t < T; t++) {
      const hPrev = hs[b]![t]!;
      const cPrev = cs[b]![t]!;
      const z = Array.from({ length: G }, (_, j) => dot(hPrev, rwColumn(j), exact(x.xw[(b * T + t) * G + j] as number)));
      const act = z.map((zj, j) => (j >= 2 * n && j < 3 * n ? tanh(zj) : sigmoid(zj)));
      const [i, f, g, o] = [0, 1, 2, 3].map((k) => act.slice(k * n, (k + 1) * n)) as [Bounded[], Bounded[], Bounded[], Bounded[]];
      const cNew = cPrev.map((cp, j) => add(mul(f[j]!, cp), mul(i[j]!, g[j]!)));
      const tc = cNew.map(tanh);
      const hNew = tc.map((t_, j) => mul(o[j]!, t_));
      const keepNew = maskAt(b, t) === 1;
      hs[b]!.push(keepNew ? hNew : hPrev);
      cs[b]!.push(keepNew ? cNew : cPrev);
      gates[b]!.push(act);
      tcs[b]!.push(tc);
    }
  }
  const output: Bounded[] = [];
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (const h of hs[b]![t + 1]!) output.push(maskAt(b, t) === 1 ? h : exact(0));
  const hLast = hs.flatMap((rows) => rows[T]!);
  const cLast = cs.flatMap((rows) => rows[T]!);
  const terms = [...output.map((o, e) => mul(o, exact(wOut[e] as number))), ...hLast.map((h, e) => mul(h, exact(wh[e] as number))), ...cLast.map((c, e) => mul(c, exact(wc[e] as number)))];
  const scoreValue = terms.reduce((s, t) => s + t.v, 0);
  const score = { v: scoreValue, e: terms.reduce((s, t) => s + t.e, 0) + gamma(terms.length + 3) * terms.reduce((s, t) => s + Math.abs(t.v), 0) };

  // Backward. dy of the packed output: wOut (times the mask) at each step, plus wh at the last (one
  // add), and wc for the final cell.
  const dxw: Bounded[] = new Array<Bounded>(B * T * G);
  const dh0: Bounded[] = [];
  const dc0: Bounded[] = [];
  const hPrevAll: Bounded[][] = []; // rows of drw's product, [b * T + t][n]
  const dzAll: Bounded[][] = [];
  for (let b = 0; b < B; b++) {
    let dh: Bounded[] = Array.from({ length: n }, () => exact(0));
    let dc: Bounded[] = Array.from({ length: n }, (_, j) => exact(wc[b * n + j] as number));
    for (let t = T - 1; t >= 0; t--) {
      const m = maskAt(b, t);
      const dy = Array.from({ length: n }, (_, j) => {
        const fromOutput = (wOut[(b * T + t) * n + j] as number) * m;
        return t === T - 1 ? round(fromOutput + (wh[b * n + j] as number), 0) : exact(fromOutput);
      });
      const act = gates[b]![t]!;
      const tc = tcs[b]![t]!;
      const cPrev = cs[b]![t]!;
      const dz: Bounded[] = new Array<Bounded>(G);
      const dhKeep: Bounded[] = [];
      const dcNext: Bounded[] = [];
      for (let j = 0; j < n; j++) {
        const [i, f, g, o] = [act[j]!, act[n + j]!, act[2 * n + j]!, act[3 * n + j]!];
        const dhTotal = add(dh[j]!, dy[j]!);
        const dcTotal = dc[j]!;
        const a = mul(o, oneMinus(mul(tc[j]!, tc[j]!)));
        const dcu = add(dcTotal, mul(dhTotal, a));
        const mk = exact(m);
        dz[j] = mul(mul(dcu, mul(g, mul(i, oneMinus(i)))), mk);
        dz[n + j] = mul(mul(dcu, mul(cPrev[j]!, mul(f, oneMinus(f)))), mk);
        dz[2 * n + j] = mul(mul(dcu, mul(i, oneMinus(mul(g, g)))), mk);
        dz[3 * n + j] = mul(mul(dhTotal, mul(tc[j]!, mul(o, oneMinus(o)))), mk);
        dcNext.push(add(mul(dcu, mul(f, mk)), mul(exact(1 - m), dcTotal)));
        dhKeep.push(mul(exact(1 - m), dhTotal));
      }
      dz.forEach((d, j) => (dxw[(b * T + t) * G + j] = d));
      hPrevAll[b * T + t] = hs[b]![t]!;
      dzAll[b * T + t] = dz;
      // dh_{t-1} = dz RW^T (+ the held part at a masked step): 4n terms, one more with the held part.
      dh = Array.from({ length: n }, (_, k) => dot(dz, rwRow(k), m === 1 ? undefined : dhKeep[k]));
      dc = dcNext;
    }
    dh0.push(...dh);
    dc0.push(...dc);
  }
  // drw = sum over b, t of h_{t-1}^T dz_t: one product of B T terms per element.
  const drw: Bounded[] = [];
  for (let k = 0; k < n; k++)
    for (let j = 0; j < G; j++) {
      const column = dzAll.map((dz) => dz[j]!);
      drw.push(dot(column, hPrevAll.map((h) => h[k]!.v)));
      // The h factors carry bounds too: add |dz| e_h.
      drw[drw.length - 1]!.e += column.reduce((s, d, r) => s + Math.abs(d.v) * hPrevAll[r]![k]!.e, 0);
    }
  return [flat(output), flat(hLast), flat(cLast), flat([score]), flat(dxw), flat(drw), flat(dh0), flat(dc0)];
}
