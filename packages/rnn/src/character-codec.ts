import * as tf from '@tensorflow/tfjs-core';
import { ValueError, formatValue } from '@dl4ts/core';
import type { Network, Rng } from '@dl4ts/core';
import { RnnStepper } from './rnn-stepper';
import { SequenceDataSet } from './sequence-data-set';

/**
 * The symbols of a character-level model (Karpathy's char-rnn, DL4J's character modelling example):
 * one-hot training sequences and text sampled with a temperature.
 *
 * @example
 * ```ts
 * const codec = CharacterCodec.fromText(text);
 * const train = codec.sequences(text, 50);         // inputs one-hot, labels the next character
 * console.log(await codec.sample(net, 'ROMEO:\n', 300, 0.8, new Rng(7)));
 * ```
 */
export class CharacterCodec {
  private readonly index: Map<string, number>;

  constructor(readonly symbols: readonly string[]) {
    this.index = new Map(symbols.map((c, i) => [c, i]));
    if (this.index.size !== symbols.length || symbols.length === 0) throw new ValueError(`CharacterCodec: symbols must be distinct and non-empty, received ${symbols.length} (${this.index.size} distinct)`);
  }

  /** The sorted distinct characters of `text`. */
  static fromText(text: string): CharacterCodec {
    return new CharacterCodec([...new Set(text)].sort());
  }

  get size(): number {
    return this.symbols.length;
  }

  /** Index of a character; a character outside the vocabulary is a `ValueError`. */
  indexOf(c: string): number {
    const i = this.index.get(c);
    if (i === undefined) throw new ValueError(`CharacterCodec: character ${JSON.stringify(c)} is not in the vocabulary of ${this.size} symbols`);
    return i;
  }

  /** One-hot `[count, length, size]` inputs (characters `from ... from + count length`) into `x`, next characters into `y`. */
  fill(source: string, from: number, count: number, length: number, x: Float32Array, y: Float32Array): void {
    const v = this.size;
    x.fill(0, 0, count * length * v);
    y.fill(0, 0, count * length * v);
    for (let i = 0; i < count * length; i++) {
      x[i * v + this.indexOf(source[from + i] as string)] = 1;
      y[i * v + this.indexOf(source[from + i + 1] as string)] = 1;
    }
  }

  /** Non-overlapping sequences of `length` characters of `source`: inputs one-hot, labels the next character. */
  sequences(source: string, length: number): SequenceDataSet {
    const n = Math.floor((source.length - 1) / length);
    if (n < 1) throw new ValueError(`CharacterCodec: ${source.length} characters make no sequence of ${length} (+1 for the last label)`);
    const x = new Float32Array(n * length * this.size);
    const y = new Float32Array(n * length * this.size);
    this.fill(source, 0, n, length, x, y);
    const shape: [number, number, number] = [n, length, this.size];
    return SequenceDataSet.adopt({ features: tf.tensor3d(x, shape), labels: tf.tensor3d(y, shape) });
  }

  /**
   * `count` characters sampled after `prime` from a network whose output is a softmax over the
   * symbols, each drawn from `softmax(log p / temperature)` (lower: more conservative text). Reads
   * each step's output asynchronously, so it runs on backends without synchronous reads (WebGPU).
   */
  async sample(net: Network, prime: string, count: number, temperature: number, rng: Rng): Promise<string> {
    if (!(temperature > 0)) throw new ValueError(`CharacterCodec.sample: temperature must be positive, received ${formatValue(temperature)}`);
    const stepper = new RnnStepper(net);
    const step = async (c: string): Promise<ArrayLike<number>> => {
      const out = tf.tidy(() => stepper.rnnTimeStep(tf.cast(tf.oneHot(tf.tensor1d([this.indexOf(c)], 'int32'), this.size), 'float32')));
      try {
        return (await out.data()) as Float32Array;
      } finally {
        out.dispose();
      }
    };
    try {
      let probs: ArrayLike<number> = new Float32Array(this.size).fill(1 / this.size);
      for (const c of prime) probs = await step(c);
      let text = '';
      for (let i = 0; i < count; i++) {
        const w = Array.from(probs, (p) => Math.exp(Math.log(Math.max(p, 1e-12)) / temperature));
        let u = rng.uniform() * w.reduce((s, p) => s + p, 0);
        let k = 0;
        while (k < w.length - 1 && (u -= w[k] as number) > 0) k++;
        text += this.symbols[k];
        probs = await step(this.symbols[k] as string);
      }
      return text;
    } finally {
      stepper.dispose();
    }
  }
}
