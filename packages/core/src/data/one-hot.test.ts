import { describe, expect, it } from 'vitest';
import { ValueError } from '../errors';
import { oneHot, oneHotArray } from './one-hot';

describe('oneHot', () => {
  it('encodes integer labels as rows with a single 1', async () => {
    expect(Array.from(oneHotArray([2, 0], 3))).toEqual([0, 0, 1, 1, 0, 0]);
    const t = oneHot(new Uint8Array([5, 0, 4]), 10);
    expect(t.shape).toEqual([3, 10]);
    expect((await t.array()).map((r) => r.indexOf(1))).toEqual([5, 0, 4]);
    t.dispose();
  });

  it('names the bad value, its index and the allowed range', () => {
    expect(() => oneHotArray([1, 10], 10)).toThrow(ValueError);
    expect(() => oneHotArray([1, 10], 10)).toThrow('labels: value 10 at index 1 is not a class index; expected an integer in [0, 9] (numClasses 10)');
    expect(() => oneHotArray([0.5], 3)).toThrow('value 0.5 at index 0');
    expect(() => oneHotArray([-1], 3, 'digits')).toThrow('digits: value -1 at index 0');
  });
});
