import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DataSet } from '../data-set';
import { ConfigError, ShapeError, ValueError } from '../errors';
import { compareArrays, leakedTensors } from '../testing';
import { NotFittedError } from './errors';
import { ImageScaler } from './image-scaler';
import { MinMax } from './min-max';
import { normalizerFromJSON } from './normalizer-from-json';
import { Standardize } from './standardize';
import { StreamingSource } from './streaming-source';

// Column 0 varies, column 1 is constant, column 2 has a large offset.
const X = [
  [1, 5, 1000.5],
  [2, 5, 1001.5],
  [4, 5, 999.5],
  [9, 5, 1002],
];
const column = (j: number) => X.map((r) => r[j] as number);
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const std = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));

async function values(t: tf.Tensor): Promise<number[]> {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
}

describe('Standardize', () => {
  it('fits population mean and std per column (std 0 -> 1) and maps to mean 0, std 1', async () => {
    const data = DataSet.from(X, [[0], [1], [0], [1]]);
    const norm = await new Standardize().fit(data);
    const means = [0, 1, 2].map((j) => mean(column(j)));
    const stds = [0, 1, 2].map((j) => std(column(j)) || 1);
    expect(compareArrays(norm.mean!, means, { rtol: 1e-12 }).ok).toBe(true);
    expect(compareArrays(norm.std!, stds, { rtol: 1e-12 }).ok).toBe(true);
    expect(norm.std![1]).toBe(1);

    const expected = X.flatMap((r) => r.map((v, j) => (v - (means[j] as number)) / (stds[j] as number)));
    const scaled = norm.apply(data);
    expect(compareArrays(await values(scaled.features.clone()), expected, { atol: 1e-4 }).ok).toBe(true);
    expect(await scaled.labels.array()).toEqual([[0], [1], [0], [1]]);
    const back = norm.revert(scaled.features);
    expect(compareArrays(await values(back), X.flat(), { atol: 1e-3, rtol: 1e-6 }).ok).toBe(true);
    scaled.dispose();
    data.dispose();
  });

  it('gives the same statistics from a tensor, a data set in many batches and a streaming source', async () => {
    const rng = Array.from({ length: 9000 }, (_, i) => [Math.sin(i) * 3 + 1, (i % 7) - 2]);
    const t = tf.tensor2d(rng);
    const a = await new Standardize().fit(t);
    const data = DataSet.from(rng, rng.map(() => [0]));
    const b = await new Standardize().fit(data);
    const c = await new Standardize().fit(new StreamingSource(() => rng.map((r) => ({ features: r, labels: [0] }))));
    const xs0 = rng.map((r) => Math.fround(r[0] as number));
    for (const n of [b, c]) {
      expect(compareArrays(n.mean!, a.mean!, { rtol: 1e-9, atol: 1e-12 }).ok).toBe(true);
      expect(compareArrays(n.std!, a.std!, { rtol: 1e-9 }).ok).toBe(true);
    }
    expect(a.mean![0]).toBeCloseTo(mean(xs0), 10);
    expect(a.std![0]).toBeCloseTo(std(xs0), 10);
    t.dispose();
    data.dispose();
  });

  it('round-trips through JSON and rebuilds by type', async () => {
    const norm = await new Standardize().fit(tf.tensor2d(X));
    const json = JSON.parse(JSON.stringify(norm));
    expect(json).toEqual({ type: 'core/standardize', version: 1, mean: norm.mean, std: norm.std });
    const again = normalizerFromJSON(json);
    expect(again).toBeInstanceOf(Standardize);
    expect(again.toJSON()).toEqual(norm.toJSON());
    const x = tf.tensor2d([[3, 4, 5]]);
    expect(await values(again.transform(x))).toEqual(await values(norm.transform(x)));
    x.dispose();
    expect(() => Standardize.fromJSON({ ...json, std: [1, 0, 1] })).toThrow('std[1] is 0; expected a positive number');
    expect(() => Standardize.fromJSON({ ...json, std: [1] })).toThrow('std has 1 values; expected 3, one per column');
    expect(() => Standardize.fromJSON({ ...json, version: 2 })).toThrow(ConfigError);
    expect(() => normalizerFromJSON({ type: 'core/unknown' })).toThrow("expected one of core/standardize, core/min-max, core/image-scaler");
  });

  it('throws typed errors before fit, on a column-count mismatch and on non-finite data', async () => {
    const norm = new Standardize();
    const x = tf.tensor2d([[1, 2]]);
    expect(norm.fitted).toBe(false);
    expect(() => norm.transform(x)).toThrow(NotFittedError);
    expect(() => norm.toJSON()).toThrow('Standardize.toJSON: not fitted; call fit(trainingData) first');
    expect(() => norm.revert(x)).toThrow(NotFittedError);
    await norm.fit(tf.tensor2d(X));
    expect(() => norm.transform(x)).toThrow(ShapeError);
    expect(() => norm.transform(x)).toThrow('Standardize.transform: input has 2 columns (shape [1, 2]), fitted on 3; expected [..., 3]');
    await expect(new Standardize().fit(tf.tensor2d([[1, Number.NaN]]))).rejects.toThrow(ValueError);
    await expect(new Standardize().fit(tf.tensor2d([[1, Number.NaN]]))).rejects.toThrow('column 1 contains NaN or infinite values');
    x.dispose();
  });

  it('leaks no tensors when fitting, transforming and wrapping a source', async () => {
    const data = DataSet.from(X, [[0], [1], [0], [1]]);
    const norm = new Standardize();
    expect(await leakedTensors(() => norm.fit(data))).toBe(0);
    const wrapped = norm.wrap(data);
    expect(
      await leakedTensors(async () => {
        for await (const b of wrapped.batches(3)) tf.dispose([b.features, b.labels]);
        norm.transform(data.features).dispose();
      }),
    ).toBe(0);
    data.dispose();
  });
});

describe('MinMax', () => {
  it('maps the training range of each column to [0, 1] or a given range, constant columns to low', async () => {
    const t = tf.tensor2d(X);
    const norm = await new MinMax().fit(t);
    expect(norm.min).toEqual([1, 5, 999.5]);
    expect(norm.max).toEqual([9, 5, 1002]);
    const expected = X.flatMap((r) => [((r[0] as number) - 1) / 8, 0, ((r[2] as number) - 999.5) / 2.5]);
    expect(compareArrays(await values(norm.transform(t)), expected, { atol: 1e-6 }).ok).toBe(true);

    const wide = await new MinMax({ range: [-1, 1] }).fit(t);
    const y = wide.transform(t);
    expect(compareArrays(await values(y.clone()), expected.map((v, i) => (i % 3 === 1 ? -1 : v * 2 - 1)), { atol: 1e-6 }).ok).toBe(true);
    const back = wide.revert(y);
    // The constant column reverts to its min (= its value).
    expect(compareArrays(await values(back), X.flat(), { atol: 1e-4 }).ok).toBe(true);
    y.dispose();

    const again = normalizerFromJSON(JSON.parse(JSON.stringify(wide)));
    expect(again).toBeInstanceOf(MinMax);
    expect(again.toJSON()).toEqual({ type: 'core/min-max', version: 1, min: [1, 5, 999.5], max: [9, 5, 1002], range: [-1, 1] });
    expect(() => new MinMax({ range: [1, 1] })).toThrow('range must be [low, high] with finite low < high, received [1, 1]');
    expect(() => new MinMax().transform(t)).toThrow(NotFittedError);
    t.dispose();
  });
});

describe('ImageScaler', () => {
  it('scales 0..255 to 0..1 (or a range) with no statistics, any shape', async () => {
    const pixels = tf.tensor4d([0, 51, 255, 102], [1, 2, 2, 1]);
    const scaler = new ImageScaler();
    expect(scaler.fitted).toBe(true);
    const y = scaler.transform(pixels);
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(compareArrays(await values(y.clone()), [0, 0.2, 1, 0.4]).ok).toBe(true);
    expect(compareArrays(await values(scaler.revert(y)), [0, 51, 255, 102], { atol: 1e-4 }).ok).toBe(true);
    y.dispose();
    const signed = ImageScaler.fromJSON(JSON.parse(JSON.stringify(new ImageScaler({ range: [-1, 1] }))));
    expect(compareArrays(await values(signed.transform(pixels)), [-1, -0.6, 1, -0.2], { atol: 1e-6 }).ok).toBe(true);
    expect(await signed.fit(pixels)).toBe(signed);
    expect(() => new ImageScaler({ maxValue: 0 })).toThrow('maxValue must be a positive finite number, received 0');
    pixels.dispose();
  });
});
