// LSTM training speed: a 2x256 LSTM on one-hot characters (tiny Shakespeare, 65 symbols), batch
// 32, Adam: dl4ts Network.fit with truncated BPTT 50/50 beside tfjs-layers' model.fit on the same
// backend (wasm, dl4ts's kernel fixes on for both), in turns, in one process.
//
// The honest tfjs-layers equivalent of one tBPTT segment is a stateless Keras LSTM stack on
// 50-step windows: both compute 50 steps forward and backward and make one update per 32x50
// characters. dl4ts reads 200-character sequences (4 segments, state carried between them as a
// constant), Keras reads the same characters cut into 50-character windows (state starting at zero).
//
// Two cases share this: `lstm` (tfjs-layers on dl4ts's kernel fixes, the stronger anchor) and
// `lstm-stock` (tfjs-layers on tfjs-backend-wasm's stock kernels, as a tfjs user gets it). They run
// in separate processes: with both tfjs-layers models in one process the dl4ts rounds ran up to
// 1.4x slower than alone (the stock kernels' whole-input copies leave the heap and GC in a state
// that the following rounds pay for), which would measure the bench, not the library.
//
//   node bench/dist/cases/lstm.js [--quick] [--rounds N]
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { CharacterCodec, SequenceDataSet } from '@dl4ts/rnn';
import type { Contender } from './harness';
import { foreign, interleave, runCase } from './harness';
import { installWasmKernelFixes } from '@dl4ts/backend-wasm';
import { lstmTrainingFlops, shakespeareOrRandom } from './lstm-data';
import { LSTM_BATCH, LSTM_HIDDEN, LSTM_LEARNING_RATE, LSTM_SEGMENT, LSTM_SEGMENTS_PER_SEQUENCE, characterReader, lstmNetwork } from './lstm-models';

const HIDDEN = LSTM_HIDDEN;
const BATCH = LSTM_BATCH;
const SEGMENT = LSTM_SEGMENT;
const SEGMENTS_PER_SEQUENCE = LSTM_SEGMENTS_PER_SEQUENCE;
const LEARNING_RATE = LSTM_LEARNING_RATE;

/** Runs the LSTM case with tfjs-layers on the stock kernels (`stock`) or on dl4ts's kernel fixes. */
export async function runLstmCase(name: string, stock: boolean): Promise<void> {
  await runCase(name, async ({ quick, rounds, log }) => {
    const { text, real } = shakespeareOrRandom();
    const codec = CharacterCodec.fromText(text);
    const v = codec.size;
    // Characters per round: a whole number of dl4ts minibatches (32 sequences of 200).
    const batchesPerRound = quick ? 1 : 2;
    const chars = batchesPerRound * BATCH * SEGMENT * SEGMENTS_PER_SEQUENCE;
    const flopsPerUnit = lstmTrainingFlops(v, [HIDDEN, HIDDEN]);
    const nextChars = characterReader(text, codec, chars);
    const losses: Record<string, number[]> = {};

    const net = lstmNetwork(v);
    const dl4ts: Contender = {
      name: 'dl4ts Network.fit, truncated BPTT 50/50 on 200-character sequences',
      flopsPerUnit,
      async round() {
        const { x, y } = nextChars(SEGMENT * SEGMENTS_PER_SEQUENCE);
        const data = SequenceDataSet.adopt({ features: x, labels: y });
        const { meanScores } = await net.fit(data, { epochs: 1, batchSize: BATCH });
        data.dispose();
        // Mean over segments of the summed per-sequence loss: per character, divide by the segment length.
        (losses.dl4ts ??= []).push((meanScores[0] as number) / SEGMENT);
        return chars;
      },
      dispose: () => net.dispose(),
    };

    /** tfjs-layers' LSTM stack; `stock`: on tfjs-backend-wasm's own kernels for its rounds. */
    const tfjsLayers = (onStock: boolean): Contender =>
      foreign(() => {
        const model = tfl.sequential({
          layers: [
            tfl.layers.lstm({ inputShape: [SEGMENT, v], units: HIDDEN, returnSequences: true, recurrentInitializer: 'glorotUniform' }),
            tfl.layers.lstm({ units: HIDDEN, returnSequences: true, recurrentInitializer: 'glorotUniform' }),
            tfl.layers.dense({ units: v, activation: 'softmax' }),
          ],
        });
        const optimizer = tf.train.adam(LEARNING_RATE);
        model.compile({ optimizer, loss: 'categoricalCrossentropy' });
        return {
          name: `tfjs-layers model.fit, stateless LSTM on 50-character windows, ${stock ? 'stock wasm kernels' : 'with dl4ts kernel fixes'} (anchor)`,
          anchor: true,
          flopsPerUnit,
          async round() {
            const { x, y } = nextChars(SEGMENT);
            const restore = installWasmKernelFixes();
            if (onStock) restore();
            try {
              const history = await model.fit(x, y, { batchSize: BATCH, epochs: 1, shuffle: false, verbose: 0 });
              (losses.tfjs ??= []).push(history.history.loss?.[0] as number);
            } finally {
              installWasmKernelFixes();
              tf.dispose([x, y]);
            }
            return chars;
          },
          dispose: () => {
            model.dispose();
            optimizer.dispose();
          },
        };
      });
    const keras = tfjsLayers(stock);

    log(`lstm: 2x${HIDDEN} on ${v} symbols (${real ? 'tiny Shakespeare' : 'generated text'}), ${chars} characters per round, ${(flopsPerUnit / 1e6).toFixed(2)} MFLOP per character`);
    const rows = await interleave([keras, dl4ts], rounds(3), { warmup: 1, log });
    keras.dispose();
    dl4ts.dispose();
    const last = (k: string) => (losses[k]?.at(-1) ?? Number.NaN).toFixed(3);
    return {
      title: `LSTM 2x${HIDDEN} on characters, batch ${BATCH}, tBPTT ${SEGMENT}/${SEGMENT}, Adam (wasm; tfjs-layers on ${stock ? 'the stock kernels' : "dl4ts's kernel fixes"})`,
      unit: 'characters/s',
      rows,
      notes: [
        `${real ? 'tiny Shakespeare' : 'generated text (tiny Shakespeare not found)'}, ${v} symbols, one-hot inputs, softmax output, cross-entropy.`,
        'dl4ts reads 200-character sequences in 4 truncated-BPTT segments of 50 (state carried as a constant); tfjs-layers reads the same characters as 50-character windows with a stateless LSTM stack: the same work per update.',
        stock ? 'tfjs-layers runs its rounds on the stock tfjs-backend-wasm kernels, as a tfjs user gets them; dl4ts on its kernel fixes.' : 'Both run on tfjs-backend-wasm with dl4ts\'s kernel fixes installed (they are global).',
        'tfjs-layers keeps its default initialisers except the recurrent one (glorotUniform: its orthogonal initialiser fails on tfjs-core alone, `rMat.flatten is not a function`); dl4ts uses xavier.',
        `Training loss per character after each round: dl4ts ${(losses.dl4ts ?? []).map((l) => l.toFixed(3)).join(', ')}; tfjs-layers ${(losses.tfjs ?? []).map((l) => l.toFixed(3)).join(', ')}.`,
      ],
      metrics: { 'dl4ts loss/char (last round)': last('dl4ts'), 'tfjs-layers loss/char (last round)': last('tfjs') },
    };
  });
}
