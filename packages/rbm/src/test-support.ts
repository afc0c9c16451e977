// Shared by this package's tests: a registry with every component, networks with one RBM, and an
// independent float64 reference of the RBM equations in plain JavaScript.
import * as tf from '@tensorflow/tfjs-core';
import { Network, Registry } from '@dl4ts/core';
import type { LayerConfig } from '@dl4ts/core';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';
import { registerRbm } from './register-rbm';
import type { HiddenUnit, VisibleUnit } from './units';

export type { Matrix } from '@dl4ts/core/testing';
import type { Matrix } from '@dl4ts/core/testing';
import { sigmoid64, softplus64 } from '@dl4ts/core/testing';

export const registry = new Registry();
registerLayers(registry);
registerLosses(registry);
registerUpdaters(registry);
registerRbm(registry);

/** `input -> rbm (named "rbm") -> softmax output over 2 classes`. */
export function rbmNetwork(nIn: number, rbm: Record<string, unknown>, seed = 7): Network {
  return new Network(
    {
      seed,
      input: nIn,
      layers: [{ type: 'rbm/rbm', name: 'rbm', ...rbm } as LayerConfig, { type: 'layers/output', name: 'out', nOut: 2, activation: 'softmax', loss: 'mcxent' }],
    },
    { registry },
  ).init();
}

export async function read(net: Network, name: string): Promise<number[]> {
  const t = net.getParam(name);
  const values = Array.from(await t.data());
  t.dispose();
  return values;
}

export function setParams(net: Network, values: Record<string, Matrix | number[]>): void {
  for (const [name, v] of Object.entries(values)) {
    const t = Array.isArray(v[0]) ? tf.tensor2d(v as Matrix) : tf.tensor1d(v as number[]);
    net.setParam(`rbm/${name}`, t);
    t.dispose();
  }
}

// ---- float64 reference ----

export { sigmoid64, softplus64 } from '@dl4ts/core/testing';

function softmaxRow(row: number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

export function mean64(unit: VisibleUnit | HiddenUnit, a: Matrix): Matrix {
  if (unit === 'softmax') return a.map(softmaxRow);
  const f = unit === 'binary' ? sigmoid64 : unit === 'rectified' ? (x: number) => Math.max(0, x) : (x: number) => x;
  return a.map((row) => row.map(f));
}

export const matmul = (a: Matrix, b: Matrix): Matrix => a.map((row) => (b[0] as number[]).map((_, j) => row.reduce((s, x, i) => s + x * ((b[i] as number[])[j] as number), 0)));
export const transpose = (a: Matrix): Matrix => (a[0] as number[]).map((_, j) => a.map((row) => row[j] as number));
export const addRow = (a: Matrix, r: number[]): Matrix => a.map((row) => row.map((x, j) => x + (r[j] as number)));
export const colMean = (a: Matrix): number[] => (a[0] as number[]).map((_, j) => a.reduce((s, row) => s + (row[j] as number), 0) / a.length);

export interface Rbm64 {
  W: Matrix;
  b: number[];
  vb: number[];
}

/** Mean-field CD-k (or PCD-k from `chain`) in float64: the gradients the layer must return, the new chain and the score. */
export function cdReference(
  v0: Matrix,
  p: Rbm64,
  o: { visible: VisibleUnit; hidden: HiddenUnit; k: number; chain?: Matrix; sparsityTarget?: number; sparsityCost?: number },
): { W: Matrix; b: number[]; vb: number[]; chain: Matrix; score: number } {
  const up = (v: Matrix) => mean64(o.hidden, addRow(matmul(v, p.W), p.b));
  const down = (h: Matrix) => mean64(o.visible, addRow(matmul(h, transpose(p.W)), p.vb));
  const h0 = up(v0);
  let h = o.chain === undefined ? h0 : up(o.chain);
  let v: Matrix = o.chain ?? v0;
  for (let step = 0; step < o.k; step++) {
    v = down(h);
    h = up(v);
  }
  const n = v0.length;
  const m = v.length;
  const pos = matmul(transpose(v0), h0).map((r) => r.map((x) => x / n));
  const neg = matmul(transpose(v), h).map((r) => r.map((x) => x / m));
  const q = colMean(h0);
  const W = neg.map((r, i) => r.map((x, j) => x - ((pos[i] as number[])[j] as number)));
  const b = colMean(h).map((x, j) => x - (q[j] as number));
  const vb = colMean(v).map((x, i) => x - (colMean(v0)[i] as number));
  const cost = o.sparsityCost ?? 0;
  if (cost > 0) {
    const pull = q.map((x) => cost * (x - (o.sparsityTarget as number)));
    const vMean = colMean(v0);
    pull.forEach((g, j) => {
      b[j] = (b[j] as number) + g;
      W.forEach((row, i) => (row[j] = (row[j] as number) + (vMean[i] as number) * g));
    });
  }
  const rec = down(h0);
  const score = v0.reduce((s, row, r) => s + row.reduce((t, x, i) => t + (x - ((rec[r] as number[])[i] as number)) ** 2, 0), 0) / n;
  return { W, b, vb, chain: v, score };
}

/** Free energy of a binary-hidden RBM by enumerating all 2^nOut hidden states: `-log sum_h exp(-E(v, h))`. */
export function freeEnergyByEnumeration(v: number[], p: Rbm64, visible: 'binary' | 'gaussian'): number {
  const nOut = p.b.length;
  const visibleEnergy = visible === 'binary' ? -v.reduce((s, x, i) => s + x * (p.vb[i] as number), 0) : v.reduce((s, x, i) => s + 0.5 * (x - (p.vb[i] as number)) ** 2, 0);
  const terms: number[] = [];
  for (let code = 0; code < 1 << nOut; code++) {
    let e = visibleEnergy;
    for (let j = 0; j < nOut; j++) {
      if (((code >> j) & 1) === 0) continue;
      e -= p.b[j] as number;
      v.forEach((x, i) => (e -= x * ((p.W[i] as number[])[j] as number)));
    }
    terms.push(-e);
  }
  const m = Math.max(...terms);
  return -(m + Math.log(terms.reduce((s, t) => s + Math.exp(t - m), 0)));
}

/** Exact mean log-likelihood of binary data under a binary RBM, the partition function summed over every hidden state. */
export function exactLogLikelihood(data: Matrix, p: Rbm64): number {
  const nOut = p.b.length;
  // log Z = logsumexp_h [b . h + sum_i softplus(vb_i + W_i . h)]
  const terms: number[] = [];
  for (let code = 0; code < 1 << nOut; code++) {
    const h = Array.from({ length: nOut }, (_, j) => (code >> j) & 1);
    let t = h.reduce((s, x, j) => s + x * (p.b[j] as number), 0);
    p.vb.forEach((c, i) => (t += softplus64(c + h.reduce((s, x, j) => s + x * ((p.W[i] as number[])[j] as number), 0))));
    terms.push(t);
  }
  const m = Math.max(...terms);
  const logZ = m + Math.log(terms.reduce((s, t) => s + Math.exp(t - m), 0));
  const free = (v: number[]) => -v.reduce((s, x, i) => s + x * (p.vb[i] as number), 0) - p.b.reduce((s, c, j) => s + softplus64(c + v.reduce((t, x, i) => t + x * ((p.W[i] as number[])[j] as number), 0)), 0);
  return data.reduce((s, v) => s - free(v) - logZ, 0) / data.length;
}

/** Reads an RBM's parameters from a network as float64 matrices. */
export async function params64(net: Network, layer = 'rbm'): Promise<Rbm64> {
  const W = net.getParam(`${layer}/W`);
  const shaped = (await W.array()) as Matrix;
  W.dispose();
  return { W: shaped, b: await read(net, `${layer}/b`), vb: await read(net, `${layer}/vb`) };
}

/** Bars and stripes on a 3x3 grid: every pattern with whole rows on (or whole columns on), 14 distinct. */
export function barsAndStripes(): Matrix {
  const seen = new Set<string>();
  const out: Matrix = [];
  for (let mask = 0; mask < 8; mask++) {
    for (const rows of [true, false]) {
      const v = Array.from({ length: 9 }, (_, k) => ((mask >> (rows ? Math.floor(k / 3) : k % 3)) & 1));
      const key = v.join('');
      if (!seen.has(key)) {
        seen.add(key);
        out.push(v);
      }
    }
  }
  return out;
}
