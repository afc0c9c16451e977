// The embedded Reber grammar of Hochreiter and Schmidhuber (1997), section 5, experiment 1, as
// next-symbol prediction data, for the LSTM learning test beside it.
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@dl4ts/core';
import type { Batch, BatchSource } from '@dl4ts/core';

/** The 7 symbols, in one-hot order. */
export const REBER_SYMBOLS = ['B', 'T', 'P', 'S', 'X', 'V', 'E'] as const;

/** The Reber grammar: from each state, two (symbol, next state) choices taken with probability 1/2. */
const GRAPH: readonly (readonly [string, number][])[] = [
  [['T', 1], ['P', 2]],
  [['S', 1], ['X', 3]],
  [['T', 2], ['V', 4]],
  [['X', 2], ['S', 5]],
  [['P', 3], ['V', 5]],
];

/** A Reber string `B ... E`. */
function reber(rng: Rng): string {
  let s = 'B';
  let state = 0;
  while (state !== 5) {
    const [symbol, next] = GRAPH[state]![rng.uniform() < 0.5 ? 0 : 1]!;
    s += symbol;
    state = next;
  }
  return `${s}E`;
}

/** An embedded Reber string: `B`, `T` or `P`, a Reber string, the same `T` or `P`, `E`. */
export function embeddedReber(rng: Rng): string {
  const branch = rng.uniform() < 0.5 ? 'T' : 'P';
  return `B${branch}${reber(rng)}${branch}E`;
}

/**
 * The set of symbols that may follow each prefix `s[0..t]` of an embedded Reber string, worked out
 * from the grammar (not from the string's own next symbol), for t = 0 .. length - 2.
 */
export function possibleNext(s: string): Set<string>[] {
  const sets: Set<string>[] = [];
  const inner = s.slice(2, s.length - 2);
  sets.push(new Set(['T', 'P'])); // after B
  sets.push(new Set(['B'])); // after the branch symbol
  let state = 0;
  for (let i = 0; i < inner.length; i++) {
    if (i === 0) {
      sets.push(new Set(GRAPH[0]!.map(([c]) => c)));
      continue;
    }
    if (state === 5) {
      sets.push(new Set(['E']));
      continue;
    }
    const edge = GRAPH[state]!.find(([c]) => c === inner[i]);
    state = (edge as [string, number])[1];
    sets.push(state === 5 ? new Set(['E']) : new Set(GRAPH[state]!.map(([c]) => c)));
  }
  // After the inner E: only the branch symbol chosen at the start (the long-term dependency).
  sets[sets.length - 1] = new Set([s[1]!]);
  sets.push(new Set(['E']));
  return sets;
}

/** Features (one-hot of each symbol but the last), multi-hot targets (possible next symbols). */
export function encode(s: string): { x: number[][]; y: number[][] } {
  const oneHot = (set: Set<string>) => REBER_SYMBOLS.map((c) => (set.has(c) ? 1 : 0));
  const next = possibleNext(s);
  return { x: [...s.slice(0, -1)].map((c) => oneHot(new Set([c]))), y: next.map(oneHot) };
}

/**
 * Strings in minibatches of similar length (each padded to its own longest, with masks), so a
 * batch does not pay for the longest string of the whole set. Batch order is shuffled by `rng`.
 */
export function reberBatches(strings: readonly string[], batchSize: number): BatchSource & { size: number } {
  const sorted = [...strings].sort((a, b) => a.length - b.length);
  const groups: string[][] = [];
  for (let i = 0; i < sorted.length; i += batchSize) groups.push(sorted.slice(i, i + batchSize));
  return {
    size: strings.length,
    *batches(_size: number, rng?: Rng): Iterable<Batch> {
      const order = rng?.permutation(groups.length) ?? Int32Array.from(groups.keys());
      for (const g of order) {
        const group = groups[g]!;
        const time = Math.max(...group.map((s) => s.length - 1));
        const pad = (rows: number[][]) => [...rows, ...new Array<number[]>(time - rows.length).fill(new Array<number>(7).fill(0))];
        const encoded = group.map(encode);
        yield {
          features: tf.tensor3d(encoded.map((e) => pad(e.x))),
          labels: tf.tensor3d(encoded.map((e) => pad(e.y))),
          featuresMask: tf.tensor2d(group.map((s) => Array.from({ length: time }, (_, t) => Number(t < s.length - 1)))),
        };
      }
    },
  };
}

/** `count` distinct embedded Reber strings from `seed`, none of them in `exclude`. */
export function reberStrings(count: number, seed: number, exclude: ReadonlySet<string> = new Set()): string[] {
  const rng = new Rng(seed);
  const out = new Set<string>();
  while (out.size < count) {
    const s = embeddedReber(rng);
    if (!exclude.has(s)) out.add(s);
  }
  return [...out];
}
