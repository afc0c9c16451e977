import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@dl4ts/core';
import { describe, expect, it } from 'vitest';
import { REBER_SYMBOLS, embeddedReber, encode, possibleNext, reberBatches, reberStrings } from './embedded-reber';
import { makeNetwork } from './rnn-test-support';

describe('embedded Reber grammar (Hochreiter and Schmidhuber 1997)', () => {
  it('generates strings of the grammar, with the possible next symbols worked out by hand', () => {
    const rng = new Rng(4);
    for (let i = 0; i < 200; i++) {
      const s = embeddedReber(rng);
      expect(s).toMatch(/^B([TP])B[TPSXV]+E\1E$/);
      const next = possibleNext(s);
      expect(next.length).toBe(s.length - 1);
      // Every actual next symbol is one the grammar allows.
      expect(next.every((set, t) => set.has(s[t + 1]!))).toBe(true);
    }
    // B T B P V V E T E, by hand from the grammar's graph.
    const sets = possibleNext('BTBPVVETE').map((set) => [...set].sort().join(''));
    expect(sets).toEqual(['PT', 'B', 'PT', 'TV', 'PV', 'E', 'T', 'E']);
    const { x, y } = encode('BPBTXSEPE');
    expect(x.length).toBe(8);
    expect(y[6]).toEqual(REBER_SYMBOLS.map((c) => Number(c === 'P')));
  });

  // Too slow for the default run on the cpu backend (see the README): DL4TS_LONG_TESTS=1 runs it.
  it.runIf(process.env.DL4TS_LONG_TESTS === '1')('an LSTM learns it: every next-symbol prediction of >= 99% of held-out strings is right, the T/P before the last E included', async () => {
    const train = reberStrings(HYPER.strings, 11);
    const test = reberStrings(200, 12, new Set(train));
    const net = makeNetwork({
      seed: 7,
      input: [null, 7],
      defaults: { updater: { type: 'rnn-test/adam', learningRate: HYPER.learningRate } },
      layers: [
        { type: 'rnn/lstm', nOut: HYPER.hidden },
        { type: 'rnn/rnn-output', nOut: 7, activation: 'sigmoid', loss: 'xent' },
      ],
    });
    const started = Date.now();
    const data = reberBatches(train, HYPER.batch);
    const before = tf.memory().numTensors;
    for (let e = 0; e < HYPER.epochs; e++) {
      const { meanScores } = await net.fit(data, { epochs: 1, batchSize: HYPER.batch });
      expect(tf.memory().numTensors).toBe(before);
      if (e % 10 === 9) console.log(`epoch ${e + 1}: ${meanScores[0]} at ${Date.now() - started} ms`);
    }
    const trained = Date.now() - started;
    // Criterion (Hochreiter and Schmidhuber's): at every step, the symbols with output > 0.5 are
    // exactly the possible next symbols.
    let correct = 0;
    let penultimate = 0;
    for (const s of test) {
      const { x, y } = encode(s);
      const out = net.output(tf.tensor3d([x]));
      const rows = ((await out.array()) as number[][][])[0]!;
      out.dispose();
      const ok = rows.map((row, t) => row.every((v, k) => (v > 0.5) === (y[t]![k] === 1)));
      if (ok.every(Boolean)) correct++;
      if (ok[ok.length - 2]) penultimate++;
    }
    console.log(`embedded Reber: ${correct}/${test.length} strings right, T/P ${penultimate}/${test.length}, training ${trained} ms`);
    expect(correct / test.length).toBeGreaterThanOrEqual(0.99);
    expect(penultimate / test.length).toBeGreaterThanOrEqual(0.99);
    net.dispose();
  });
});

// REBER='{"epochs": 50}' overrides these while tuning.
const HYPER: { strings: number; batch: number; hidden: number; epochs: number; learningRate: number } = {
  strings: 256,
  batch: 64,
  hidden: 16,
  epochs: 100,
  learningRate: 0.03,
  ...(JSON.parse(process.env.REBER ?? '{}') as object),
};
