// The learning test for @dl4ts/rnn. It lives here, not in packages/rnn, because it trains
// on the wasm adapter: the backends' conformance tests depend on @dl4ts/rnn, so rnn may not depend
// on a backend (turbo's build graph would have a cycle).
import * as tf from '@tensorflow/tfjs-core';
import { Network, Registry, Rng, selectBackend } from '@dl4ts/core';
import type { NetworkConfig } from '@dl4ts/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { wasmBackend } from '@dl4ts/backend-wasm';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerRnn } from '@dl4ts/rnn';
import { registerUpdaters } from '@dl4ts/updaters';
import { REBER_SYMBOLS, embeddedReber, encode, possibleNext, reberBatches, reberStrings } from './embedded-reber';

function makeNetwork(config: NetworkConfig): Network {
  const registry = new Registry();
  for (const register of [registerLayers, registerLosses, registerUpdaters, registerRnn]) register(registry);
  return new Network(config, { registry }).init();
}

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

  // On wasm (the cpu backend takes about 15x longer per update here).
  describe('learning', () => {
    beforeAll(async () => {
      await selectBackend('wasm', [wasmBackend()]);
    });

    it('an LSTM learns it: every next-symbol prediction of >= 99% of held-out strings is right, the T/P before the last E included', async () => {
      expect(tf.getBackend()).toBe('wasm');
      const train = reberStrings(HYPER.strings, 11);
      const valid = reberStrings(100, 13, new Set(train));
      const test = reberStrings(200, 12, new Set([...train, ...valid]));
      const net = makeNetwork({
        seed: HYPER.seed,
        input: [null, 7],
        defaults: { updater: { type: 'updaters/adam', learningRate: HYPER.learningRate } },
        layers: [
          { type: 'rnn/lstm', nOut: HYPER.hidden },
          { type: 'rnn/rnn-output', nOut: 7, activation: 'sigmoid', loss: 'xent' },
        ],
      });
      const started = Date.now();
      const data = reberBatches(train, HYPER.batch);
      const before = tf.memory().numTensors;
      let epochs = 0;
      // Early stopping on a validation set of its own: the test strings are read once, at the end.
      for (; epochs < HYPER.epochs; epochs++) {
        const { meanScores } = await net.fit(data, { epochs: 1, batchSize: HYPER.batch });
        expect(tf.memory().numTensors).toBe(before);
        if (epochs % 5 !== 4) continue;
        const v = await reberScore(net, valid);
        console.log(`epoch ${epochs + 1}: score ${meanScores[0]?.toFixed(3)}, validation ${v.correct}/${valid.length} at ${Date.now() - started} ms`);
        if (v.correct === valid.length) break;
      }
      const trained = Date.now() - started;
      const { correct, penultimate } = await reberScore(net, test);
      console.log(`embedded Reber: ${correct}/${test.length} held-out strings right, T/P ${penultimate}/${test.length}, ${epochs + 1} epochs of ${train.length} strings, ${trained} ms`);
      expect(correct / test.length).toBeGreaterThanOrEqual(0.99);
      expect(penultimate / test.length).toBeGreaterThanOrEqual(0.99);
      net.dispose();
      // About 35 epochs (15-35 s here); the limit leaves room for a slow machine.
    }, 120_000);
  });
});

/**
 * Hochreiter and Schmidhuber's criterion: a string is right when, at every step, the symbols with
 * output > 0.5 are exactly the possible next symbols. Also counts the T/P step before the last E.
 */
async function reberScore(net: Network, strings: readonly string[]): Promise<{ correct: number; penultimate: number }> {
  const encoded = strings.map(encode);
  const time = Math.max(...encoded.map((e) => e.x.length));
  const pad = (rows: number[][]) => [...rows, ...new Array<number[]>(time - rows.length).fill(new Array<number>(7).fill(0))];
  const features = tf.tensor3d(encoded.map((e) => pad(e.x)));
  const featuresMask = tf.tensor2d(encoded.map((e) => Array.from({ length: time }, (_, t) => Number(t < e.x.length))));
  const out = net.output(features, { featuresMask });
  const rows = (await out.array()) as number[][][];
  tf.dispose([features, featuresMask, out]);
  let correct = 0;
  let penultimate = 0;
  encoded.forEach(({ y }, b) => {
    const ok = y.map((want, t) => rows[b]![t]!.every((v, k) => (v > 0.5) === (want[k] === 1)));
    if (ok.every(Boolean)) correct++;
    if (ok[ok.length - 2]) penultimate++;
  });
  return { correct, penultimate };
}

// REBER='{"epochs": 50}' overrides these while tuning.
const HYPER: { strings: number; batch: number; hidden: number; epochs: number; learningRate: number; seed: number } = {
  strings: 256,
  batch: 32,
  hidden: 32,
  epochs: 100,
  learningRate: 0.02,
  seed: 7,
  ...(JSON.parse(process.env.REBER ?? '{}') as object),
};
