import * as tf from '@tensorflow/tfjs-core';
import { Rng, ValueError } from '@dl4ts/core';
import { describe, expect, it } from 'vitest';
import { CharacterCodec } from './character-codec';
import { makeNetwork, sgdDefaults } from './rnn-test-support';

describe('CharacterCodec', () => {
  it('one-hot sequences with the next character as label', async () => {
    const codec = CharacterCodec.fromText('abcab ca');
    expect(codec.symbols).toEqual([' ', 'a', 'b', 'c']);
    const data = codec.sequences('abcab ca', 3); // (8 - 1) / 3: two sequences, "abc" and "ab "
    expect(data.size).toBe(2);
    const [batch] = [...data.batches(2)];
    const argmax = async (t: tf.Tensor) => ((await tf.argMax(t, 2).array()) as number[][]).map((row) => row.map((i) => codec.symbols[i]).join(''));
    expect(await argmax(batch!.features)).toEqual(['abc', 'ab ']);
    expect(await argmax(batch!.labels)).toEqual(['bca', 'b c']);
    expect(await tf.sum(batch!.features).array()).toBe(6);
    tf.dispose([batch!.features, batch!.labels]);
    data.dispose();
    expect(() => codec.indexOf('z')).toThrow(ValueError);
    expect(() => codec.sequences('ab', 3)).toThrow('2 characters make no sequence of 3');
    expect(() => new CharacterCodec(['a', 'a'])).toThrow(ValueError);
  });

  it('samples from the network, seeded, within the vocabulary; lower temperature, likelier text', async () => {
    const codec = CharacterCodec.fromText('abcd');
    const net = makeNetwork({
      seed: 3,
      input: [null, 4],
      defaults: sgdDefaults(),
      layers: [
        { type: 'rnn/lstm', nOut: 5 },
        { type: 'rnn/rnn-output', nOut: 4, activation: 'softmax', loss: 'mcxent' },
      ],
    });
    const before = tf.memory().numTensors;
    const a = await codec.sample(net, 'ab', 40, 1, new Rng(9));
    expect(await codec.sample(net, 'ab', 40, 1, new Rng(9))).toBe(a);
    expect(a).toMatch(/^[abcd]{40}$/);
    // At a tiny temperature sampling is the argmax: the same text from any seed.
    expect(await codec.sample(net, 'ab', 20, 1e-3, new Rng(1))).toBe(await codec.sample(net, 'ab', 20, 1e-3, new Rng(2)));
    expect(tf.memory().numTensors).toBe(before);
    await expect(codec.sample(net, 'a', 1, 0, new Rng(1))).rejects.toThrow('temperature must be positive');
    net.dispose();
  });
});
