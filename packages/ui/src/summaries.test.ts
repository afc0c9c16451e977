import { describe, expect, it } from 'vitest';
import { activationStats, histogram } from './summaries';

describe('summaries', () => {
  it('bins values in equal widths from min to max, the maximum in the last bin', () => {
    expect(histogram([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 5)).toEqual({ min: 0, max: 9, counts: [2, 2, 2, 2, 2] });
    // width 0.5 over [-1, 1]: -1 and -0.6 in bin 0, -0.5 opens bin 1, 0.5 opens bin 3, 1 closes bin 3.
    expect(histogram([-1, -0.6, -0.5, 0, 0.49, 0.5, 1], 4)).toEqual({ min: -1, max: 1, counts: [2, 1, 2, 2] });
  });

  it('leaves non-finite values out of the histogram', () => {
    const values = Float32Array.from([1, Number.NaN, 3, Number.POSITIVE_INFINITY, -1, Number.NEGATIVE_INFINITY]);
    expect(histogram(values, 2)).toEqual({ min: -1, max: 3, counts: [1, 2] });
  });

  it('puts a constant block in the middle bin of a unit-wide range, and an empty one nowhere', () => {
    expect(histogram([2, 2, 2], 4)).toEqual({ min: 1.5, max: 2.5, counts: [0, 0, 3, 0] });
    expect(histogram([], 3)).toEqual({ min: 0, max: 0, counts: [0, 0, 0] });
    expect(histogram([Number.NaN], 3).counts).toEqual([0, 0, 0]);
  });

  it('gives the mean, population standard deviation and share of zeros of activations (float64 reference)', () => {
    const values = [0, 0, 1.5, 2.5, 0, 4];
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    const stats = activationStats(Float32Array.from(values), 4);
    expect(stats.mean).toBeCloseTo(mean, 12);
    expect(stats.std).toBeCloseTo(std, 12);
    expect(stats.zeroFraction).toBe(0.5);
    expect(stats.histogram.counts.reduce((a, b) => a + b, 0)).toBe(6);
  });
});
