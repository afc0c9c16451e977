import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '@dl4ts/core';
import { configRoundTrip, inferenceContext } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { nest } from './reference64';
import { builtLayer, layerGradientCheck, normalValues, testRegistry } from './cnn-test-support';

const SHAPE = [2, 3, 4, 2] as const;
const XS = normalValues(51, 48);
const X64 = nest(XS, SHAPE);
const at = (n: number, r: number, q: number, c: number): number => X64[n]?.[r]?.[q]?.[c] ?? 0;

/** The layer's output for the seeded input, as nested arrays. */
async function run(config: Record<string, unknown>): Promise<{ out: number[][][][]; shape: readonly number[] }> {
  const { layer, outputShape } = builtLayer(config, SHAPE.slice(1));
  const x = tf.tensor(XS, [...SHAPE]);
  const y = layer.forward(x, {}, inferenceContext());
  expect(y.shape).toEqual([2, ...outputShape]);
  expect(configRoundTrip(testRegistry, layer, SHAPE.slice(1))).toEqual([]);
  const out = (await y.array()) as number[][][][];
  tf.dispose([x, y]);
  return { out, shape: outputShape };
}

/** Every `[n, r, q, c]` of an output of `shape` (per example) for a batch of 2. */
const positions = (shape: readonly number[]) => positions4([2, shape[0] as number, shape[1] as number, shape[2] as number]);

/** Every index of a 4-d shape. */
function* positions4(shape: readonly [number, number, number, number]): Generator<[number, number, number, number]> {
  for (let n = 0; n < shape[0]; n++) for (let r = 0; r < shape[1]; r++) for (let q = 0; q < shape[2]; q++) for (let c = 0; c < shape[3]; c++) yield [n, r, q, c];
}

describe('cnn/zero-padding2d, cnn/cropping2d, cnn/upsampling2d, cnn/space-to-depth', () => {
  it('zero padding [top, bottom, left, right]: the input shifted, zeros around it', async () => {
    const { out, shape } = await run({ type: 'cnn/zero-padding2d', padding: [1, 2, 0, 3] });
    expect(shape).toEqual([6, 7, 2]);
    for (const [n, r, q, c] of positions(shape)) {
      const inside = r >= 1 && r < 4 && q < 4;
      expect(out[n]?.[r]?.[q]?.[c]).toBe(inside ? Math.fround(at(n, r - 1, q, c)) : 0);
    }
  });

  it('cropping [top, bottom, left, right]: the window that remains', async () => {
    const { out, shape } = await run({ type: 'cnn/cropping2d', cropping: [1, 0, 1, 2] });
    expect(shape).toEqual([2, 1, 2]);
    for (const [n, r, q, c] of positions(shape)) expect(out[n]?.[r]?.[q]?.[c]).toBe(Math.fround(at(n, r + 1, q + 1, c)));
  });

  it('upsampling [2, 3]: each pixel repeated in a 2x3 block', async () => {
    const { out, shape } = await run({ type: 'cnn/upsampling2d', size: [2, 3] });
    expect(shape).toEqual([6, 12, 2]);
    for (const [n, r, q, c] of positions(shape)) expect(out[n]?.[r]?.[q]?.[c]).toBe(Math.fround(at(n, Math.floor(r / 2), Math.floor(q / 3), c)));
  });

  it('space to depth 2: channel (bi 2 + bj) c + ch of block (i, j) holds pixel (2i + bi, 2j + bj)', async () => {
    const { layer, outputShape } = builtLayer({ type: 'cnn/space-to-depth', blockSize: 2 }, [4, 6, 2]);
    expect(outputShape).toEqual([2, 3, 8]);
    const xs = normalValues(53, 2 * 4 * 6 * 2);
    const x = tf.tensor4d(xs, [2, 4, 6, 2]);
    const y = (await layer.forward(x, {}, inferenceContext()).array()) as number[][][][];
    for (const [n, i, j, d] of positions4([2, 2, 3, 8])) {
      const [bi, bj, ch] = [Math.floor(d / 4), Math.floor(d / 2) % 2, d % 2];
      expect(y[n]?.[i]?.[j]?.[d]).toBe(Math.fround(xs[((n * 4 + 2 * i + bi) * 6 + 2 * j + bj) * 2 + ch] as number));
    }
    expect(() => builtLayer({ type: 'cnn/space-to-depth', blockSize: 4 }, [4, 6, 2])).toThrow(new ShapeError('Layer "l" (cnn/space-to-depth): blockSize 4 does not divide the input\'s height 4 and width 6', [4, 6, 2], [4, 8, 2]));
    expect(() => builtLayer({ type: 'cnn/space-to-depth', blockSize: 1 }, [4, 6, 2])).toThrow('blockSize must be an integer >= 2, received 1');
    tf.dispose(x);
  });

  it("upsampling's gradient sums each block; padding's and cropping's pass values through", async () => {
    for (const config of [{ type: 'cnn/upsampling2d', size: 2 }, { type: 'cnn/zero-padding2d', padding: 1 }, { type: 'cnn/cropping2d', cropping: [0, 1] }, { type: 'cnn/space-to-depth', blockSize: 2 }]) {
      const shape = config.type === 'cnn/space-to-depth' ? [2, 4, 4, 2] : [...SHAPE];
      const { layer } = builtLayer(config, shape.slice(1));
      const x = tf.tensor(normalValues(54, shape.reduce((a, b) => a * b, 1)), shape);
      expect((await layerGradientCheck(layer, x)).failures).toEqual([]);
      x.dispose();
    }
  });

  it('bad options and inputs are typed errors', () => {
    expect(() => builtLayer({ type: 'cnn/zero-padding2d' }, [3, 4, 2])).toThrow(new ConfigError('Layer "l" (cnn/zero-padding2d): padding is required: an integer, [rows, columns] or [top, bottom, left, right]'));
    expect(() => builtLayer({ type: 'cnn/zero-padding2d', padding: [1, 2, 3] }, [3, 4, 2])).toThrow('padding must be');
    expect(() => builtLayer({ type: 'cnn/cropping2d', cropping: [2, 1] }, [3, 4, 2])).toThrow(new ShapeError('Layer "l" (cnn/cropping2d): cropping [2, 2, 1, 1] leaves nothing of an input [3, 4, 2]', [3, 4, 2], [5, 3, 2]));
    expect(() => builtLayer({ type: 'cnn/upsampling2d', size: 0 }, [3, 4, 2])).toThrow('size must be an integer >= 1');
    expect(() => builtLayer({ type: 'cnn/upsampling2d' }, [12])).toThrow('expected an image [height, width, channels]');
  });
});
