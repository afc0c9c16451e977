import { describe, expect, it } from 'vitest';
import { FLOAT32_TOLERANCE, closeness, logSoftmax64, matMul64, sigmoid64, softmax64, softplus64 } from './float64';

describe('float64 references and closeness', () => {
  it('computes the references exactly where closed forms are known, and without overflow', () => {
    expect(sigmoid64(0)).toBe(0.5);
    expect(sigmoid64(-800)).toBe(0); // exp(800) would overflow in the naive form
    expect(sigmoid64(800)).toBe(1);
    expect(softplus64(0)).toBe(Math.LN2);
    expect(softplus64(1000)).toBe(1000);
    for (const p of softmax64([1, 1, 1, 1])) expect(Math.abs(p - 0.25)).toBeLessThan(4 * Number.EPSILON); // exp(log(1/4)): a few roundings
    expect(logSoftmax64([1000, 1000])).toEqual([-Math.LN2, -Math.LN2]);
    expect(matMul64([[1, 2], [3, 4]], [[5], [6]])).toEqual([[17], [39]]);
  });

  it('accepts float32 roundings of the reference and names the worst mismatch otherwise', () => {
    const expected = [0.1, -2.5, 1e-9, 3];
    expect(closeness(expected.map(Math.fround), expected)).toBeUndefined();
    expect(closeness([0.1, -2.5, 1e-9, 3.001], expected, 'weights')).toMatch(/^weights, index 3: 3\.001 vs 3 \(error 0\.00099/);
    expect(closeness([1, 2], [1, 2, 3])).toBe('values: 2 values, expected 3');
    expect(FLOAT32_TOLERANCE).toEqual({ atol: 1e-6, rtol: 1e-5 });
  });
});
