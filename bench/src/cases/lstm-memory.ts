// Memory of truncated BPTT: one LSTM trained on sequences of 1,000 to 10,000 steps with segments of
// 50. What a training step holds beyond the minibatch itself (the activations kept for the backward
// pass, the gradients) should depend on the segment length only; with full BPTT it grows with the
// sequence. Peak tensor bytes are the engine's high-water mark during the
// call, the wasm heap size from the backend (it only grows, so lengths run shortest first).
//
//   node bench/dist/cases/lstm-memory.js [--quick]
import * as tf from '@tensorflow/tfjs-core';
import { Network, Registry } from '@dl4ts/core';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { CharacterCodec, SequenceDataSet, registerRnn } from '@dl4ts/rnn';
import { registerUpdaters } from '@dl4ts/updaters';
import { runCase } from '../harness';
import { shakespeareOrRandom } from '../lstm-data';

const HIDDEN = 128;
const BATCH = 4;
const SEGMENT = 50;
const MiB = 1024 * 1024;

/**
 * The engine's high-water mark of tensor bytes while `run` runs, read each time a tensor is
 * tracked. (tf.profile reports the same figure but overflows the stack on the ~10^5 kernels of a
 * 10,000-step sequence.)
 */
async function peakBytesDuring(run: () => Promise<unknown>): Promise<{ peakBytes: number }> {
  const engine = tf.engine() as unknown as { trackTensor: (...args: unknown[]) => void; state: { numBytes: number } };
  const track = engine.trackTensor;
  let peakBytes = engine.state.numBytes;
  engine.trackTensor = function (this: typeof engine, ...args: unknown[]) {
    track.apply(this, args);
    peakBytes = Math.max(peakBytes, this.state.numBytes);
  };
  try {
    await run();
  } finally {
    engine.trackTensor = track;
  }
  return { peakBytes };
}

await runCase('lstm-memory', async ({ quick, log }) => {
  const { text, real } = shakespeareOrRandom(50_000);
  const codec = CharacterCodec.fromText(text);
  const registry = registerRnn(registerUpdaters(registerLosses(registerLayers(new Registry()))));
  const network = (strategy: 'truncated' | 'full') =>
    new Network(
      {
        seed: 1,
        input: [null, codec.size],
        defaults: { updater: { type: 'updaters/adam', learningRate: 1e-3 } },
        ...(strategy === 'truncated' ? { strategy: { type: 'rnn/truncated-bptt' as const, forwardLength: SEGMENT, backwardLength: SEGMENT } } : {}),
        layers: [
          { type: 'rnn/lstm', nOut: HIDDEN },
          { type: 'rnn/rnn-output', nOut: codec.size, activation: 'softmax', loss: 'mcxent' },
        ],
      },
      { registry },
    ).init();
  const heap = () => {
    const backend = tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } };
    return backend.wasm === undefined ? Number.NaN : backend.wasm.HEAPU8.buffer.byteLength;
  };
  /** One minibatch of `time` steps: the peak tensor bytes during fit and the bytes of the data itself. */
  const measure = async (strategy: 'truncated' | 'full', time: number) => {
    const tensors = tf.memory().numTensors;
    const net = network(strategy);
    const x = new Float32Array(BATCH * time * codec.size);
    const y = new Float32Array(BATCH * time * codec.size);
    codec.fill(text.repeat(Math.ceil((BATCH * time + 1) / text.length)), 0, BATCH, time, x, y);
    const data = SequenceDataSet.adopt({ features: tf.tensor3d(x, [BATCH, time, codec.size]), labels: tf.tensor3d(y, [BATCH, time, codec.size]) });
    const dataBytes = 2 * x.byteLength;
    const before = tf.memory().numBytes;
    const started = performance.now();
    const info = await peakBytesDuring(() => net.fit(data, { epochs: 1, batchSize: BATCH }));
    const seconds = (performance.now() - started) / 1000;
    data.dispose();
    net.dispose();
    // The minibatch is gathered from the data set (one copy of features and labels) while it trains.
    const working = info.peakBytes - before - dataBytes;
    const row = { strategy, time, peakMiB: info.peakBytes / MiB, dataMiB: (2 * dataBytes) / MiB, workingMiB: working / MiB, heapMiB: heap() / MiB, seconds, leaked: tf.memory().numTensors - tensors };
    log(`  ${strategy} BPTT, ${time} steps: peak ${row.peakMiB.toFixed(1)} MiB of tensors, of which data (set and minibatch copy) ${row.dataMiB.toFixed(1)} MiB, working ${row.workingMiB.toFixed(1)} MiB; wasm heap ${row.heapMiB.toFixed(0)} MiB; ${seconds.toFixed(1)} s`);
    return row;
  };
  const lengths = process.env.LSTM_MEMORY_LENGTHS?.split(',').map(Number) ?? (quick ? [500, 1000] : [1000, 2000, 5000, 10_000]);
  const rows = [];
  for (const time of lengths) rows.push(await measure('truncated', time));
  const full = await measure('full', quick ? 200 : 1000);
  const leaked = [...rows, full].reduce((n, r) => n + r.leaked, 0);
  if (leaked !== 0) log(`  ${leaked} tensors left after the runs`);
  const metrics: Record<string, string> = {};
  for (const r of rows) metrics[`truncated ${SEGMENT}/${SEGMENT}, ${r.time} steps`] = `working ${r.workingMiB.toFixed(2)} MiB (peak ${r.peakMiB.toFixed(1)}, data ${r.dataMiB.toFixed(1)}), ${r.seconds.toFixed(1)} s`;
  metrics[`full BPTT, ${full.time} steps`] = `working ${full.workingMiB.toFixed(2)} MiB (peak ${full.peakMiB.toFixed(1)}, data ${full.dataMiB.toFixed(1)}), ${full.seconds.toFixed(1)} s`;
  const first = rows[0] as (typeof rows)[number];
  const last = rows.at(-1) as (typeof rows)[number];
  metrics['working memory, longest / shortest truncated'] = `${(last.workingMiB / first.workingMiB).toFixed(2)}x for ${(last.time / first.time).toFixed(0)}x the steps`;
  metrics['wasm heap after the last truncated run'] = `${last.heapMiB.toFixed(0)} MiB`;
  return {
    title: `Truncated BPTT memory: LSTM ${HIDDEN}, batch ${BATCH}, segments of ${SEGMENT}, sequences of ${lengths.join(', ')} steps`,
    unit: 'MiB',
    rows: [],
    notes: [
      `${real ? 'tiny Shakespeare' : 'generated text'} one-hot (${codec.size} symbols); one minibatch of ${BATCH} sequences per length, one update per segment; Adam.`,
      'Peak: the engine\'s high-water mark of tensor bytes during fit (tf.memory().numBytes read whenever a tensor is made). Data: features and labels plus the gathered minibatch copy. Working = peak - bytes alive before - one copy of the data: the activations, gradients and state of a step.',
      `Full BPTT over ${full.time} steps for contrast: its working memory holds every step's activations.`,
    ],
    metrics,
  };
});
