// The character LSTM the recurrent cases share: 2x256 LSTM on one-hot characters, softmax output,
// cross-entropy, Adam 2e-3, truncated BPTT 50/50 on 200-character sequences, batch 32; and the
// characters each round reads, in turn through the text.
import * as tf from '@tensorflow/tfjs-core';
import { Network, Registry } from '@dl4ts/core';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { type CharacterCodec, registerRnn } from '@dl4ts/rnn';
import { registerUpdaters } from '@dl4ts/updaters';

export const LSTM_HIDDEN = 256;
export const LSTM_BATCH = 32;
export const LSTM_SEGMENT = 50;
export const LSTM_SEGMENTS_PER_SEQUENCE = 4;
export const LSTM_LEARNING_RATE = 2e-3;

/** dl4ts's 2x256 LSTM over `vocab` symbols with truncated BPTT 50/50. */
export function lstmNetwork(vocab: number, seed = 12345): Network {
  const registry = registerRnn(registerUpdaters(registerLosses(registerLayers(new Registry()))));
  return new Network(
    {
      seed,
      input: [null, vocab],
      defaults: { weightInit: 'xavier', updater: { type: 'updaters/adam', learningRate: LSTM_LEARNING_RATE } },
      strategy: { type: 'rnn/truncated-bptt', forwardLength: LSTM_SEGMENT, backwardLength: LSTM_SEGMENT },
      layers: [
        { type: 'rnn/lstm', nOut: LSTM_HIDDEN },
        { type: 'rnn/lstm', nOut: LSTM_HIDDEN },
        { type: 'rnn/rnn-output', nOut: vocab, activation: 'softmax', loss: 'mcxent' },
      ],
    },
    { registry },
  ).init();
}

/**
 * A reader of `chars` characters at a time from `text` (wrapping at its end), one-hot, cut into
 * sequences of `length`: features and next-character labels, [chars / length, length, vocab].
 */
export function characterReader(text: string, codec: CharacterCodec, chars: number): (length: number) => { x: tf.Tensor3D; y: tf.Tensor3D } {
  let offset = 0;
  const v = codec.size;
  return (length) => {
    if (offset + chars + 1 > text.length) offset = 0;
    const n = chars / length;
    const x = new Float32Array(chars * v);
    const y = new Float32Array(chars * v);
    codec.fill(text, offset, n, length, x, y);
    offset += chars;
    return { x: tf.tensor3d(x, [n, length, v]), y: tf.tensor3d(y, [n, length, v]) };
  };
}
