// Float64 references for this package's tests (not exported from index.ts): direct nested loops
// over NHWC arrays, written from the definitions, independent of tfjs.

/** A batch of images as nested arrays `[batch][row][column][channel]`. */
export type Images = number[][][][];

/** Nested arrays of `shape` from flat row-major values. */
export function nest(flat: ArrayLike<number>, shape: readonly [number, number, number, number]): Images {
  const [b, h, w, c] = shape;
  let i = 0;
  return Array.from({ length: b }, () => Array.from({ length: h }, () => Array.from({ length: w }, () => Array.from({ length: c }, () => flat[i++] as number))));
}

/** The value at `[n, r, q, ch]` of `x`, 0 outside the image (zero padding). */
const at = (x: Images, n: number, r: number, q: number, ch: number): number | undefined => x[n]?.[r]?.[q]?.[ch];

/** Geometry of a reference window: kernel, stride, dilation, and zeros before the first row and column. */
export interface Window64 {
  kernel: [number, number];
  stride: [number, number];
  dilation?: [number, number];
  /** `[top, bottom, left, right]`. */
  pad: [number, number, number, number];
}

function outSizes(h: number, w: number, g: Window64): [number, number] {
  const [dh, dw] = g.dilation ?? [1, 1];
  const [top, bottom, left, right] = g.pad;
  return [Math.floor((h + top + bottom - ((g.kernel[0] - 1) * dh + 1)) / g.stride[0]) + 1, Math.floor((w + left + right - ((g.kernel[1] - 1) * dw + 1)) / g.stride[1]) + 1];
}

/**
 * `y[n, i, j, o] = b[o] + sum_{a, e, c} x[n, i s0 + a d0 - top, j s1 + e d1 - left, c] W[a, e, c, o]`,
 * zeros outside the image. `W` is `[kh][kw][cIn][cOut]`.
 */
export function conv2d64(x: Images, w: number[][][][], bias: readonly number[] | undefined, g: Window64): Images {
  const [dh, dw] = g.dilation ?? [1, 1];
  const [oh, ow] = outSizes(x[0]?.length ?? 0, x[0]?.[0]?.length ?? 0, g);
  const cIn = x[0]?.[0]?.[0]?.length ?? 0;
  const cOut = w[0]?.[0]?.[0]?.length ?? 0;
  return x.map((_, n) =>
    Array.from({ length: oh }, (_r, i) =>
      Array.from({ length: ow }, (_q, j) =>
        Array.from({ length: cOut }, (_o, o) => {
          let sum = bias?.[o] ?? 0;
          for (let a = 0; a < g.kernel[0]; a++) {
            for (let e = 0; e < g.kernel[1]; e++) {
              for (let c = 0; c < cIn; c++) {
                const v = at(x, n, i * g.stride[0] + a * dh - g.pad[0], j * g.stride[1] + e * dw - g.pad[2], c);
                if (v !== undefined) sum += v * (w[a]?.[e]?.[c]?.[o] as number);
              }
            }
          }
          return sum;
        }),
      ),
    ),
  );
}

/**
 * Pooling of every window: `reduce` gets the window's values, padding included as `fill` (or left
 * out where `fill` is undefined).
 */
export function pool64(x: Images, g: Window64, reduce: (values: number[]) => number, fill?: number): Images {
  const [oh, ow] = outSizes(x[0]?.length ?? 0, x[0]?.[0]?.length ?? 0, g);
  const channels = x[0]?.[0]?.[0]?.length ?? 0;
  return x.map((_, n) =>
    Array.from({ length: oh }, (_r, i) =>
      Array.from({ length: ow }, (_q, j) =>
        Array.from({ length: channels }, (_c, c) => {
          const values: number[] = [];
          for (let a = 0; a < g.kernel[0]; a++) {
            for (let e = 0; e < g.kernel[1]; e++) {
              const v = at(x, n, i * g.stride[0] + a - g.pad[0], j * g.stride[1] + e - g.pad[2], c) ?? fill;
              if (v !== undefined) values.push(v);
            }
          }
          return reduce(values);
        }),
      ),
    ),
  );
}

export const max64 = (v: number[]): number => Math.max(...v);
export const mean64 = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
export const sum64 = (v: number[]): number => v.reduce((a, b) => a + b, 0);
export const pnorm64 = (p: number) => (v: number[]): number => sum64(v.map((a) => Math.abs(a) ** p)) ** (1 / p);

/** Unit roundoff of float32. */
const U32 = 2 ** -24;

/**
 * Where float32 results of sums of products differ from their float64 values by more than the
 * error bound of a float32 dot product of `terms` terms, `terms u sum |a_k b_k|` (with a factor 2
 * for the bias and a reordered sum, and a floor at the smallest normal float32 magnitude):
 * `[index, actual, expected, bound]` of each such output.
 */
export function outsideDotBound(actual: ArrayLike<number>, expected: ArrayLike<number>, absSums: ArrayLike<number>, terms: number): [number, number, number, number][] {
  if (actual.length !== expected.length) return [[-1, actual.length, expected.length, 0]];
  const bad: [number, number, number, number][] = [];
  for (let i = 0; i < actual.length; i++) {
    const bound = 2 * (terms + 1) * U32 * (absSums[i] as number) + 1e-30;
    if (!(Math.abs((actual[i] as number) - (expected[i] as number)) <= bound)) bad.push([i, actual[i] as number, expected[i] as number, bound]);
  }
  return bad;
}

/** Element-wise absolute values of nested arrays. */
export const abs4 = (x: Images): Images => x.map((a) => a.map((b) => b.map((c) => c.map(Math.abs))));

/**
 * The transposed convolution from its definition: every input pixel's channels times the kernel
 * added onto the output window it maps to, `y[n, i s + a - top, j s + e - left, o] += x[n, i, j, c]
 * W[a, e, o, c]`; `W` is `[kh][kw][cOut][cIn]`, the output `[outH, outW]`.
 */
export function deconv2d64(x: Images, w: number[][][][], bias: readonly number[] | undefined, stride: [number, number], pad: [number, number], out: [number, number]): Images {
  const cOut = w[0]?.[0]?.length ?? 0;
  const y = x.map(() => Array.from({ length: out[0] }, () => Array.from({ length: out[1] }, () => Array.from({ length: cOut }, (_, o) => bias?.[o] ?? 0))));
  x.forEach((image, n) =>
    image.forEach((row, i) =>
      row.forEach((pixel, j) =>
        pixel.forEach((v, c) =>
          w.forEach((wa, a) =>
            wa.forEach((wae, e) => {
              const r = i * stride[0] + a - pad[0];
              const q = j * stride[1] + e - pad[1];
              if (r < 0 || r >= out[0] || q < 0 || q >= out[1]) return;
              wae.forEach((wo, o) => ((y[n] as number[][][])[r]![q]![o]! += v * (wo[c] as number)));
            }),
          ),
        ),
      ),
    ),
  );
  return y;
}

/**
 * A depthwise kernel `[kh][kw][c][m]` as the ordinary kernel it is, `[kh][kw][c][c m]`: filter `k`
 * of channel `c` is output `c m + k`, reading channel `c` alone (zeros elsewhere). With
 * {@link conv2d64} it gives the depthwise convolution from its definition.
 */
export function depthwiseKernel64(w: number[][][][]): number[][][][] {
  return w.map((row) =>
    row.map((tap) => {
      const channels = tap.length;
      const m = tap[0]?.length ?? 0;
      return tap.map((filters, c) => Array.from({ length: channels * m }, (_, o) => (Math.floor(o / m) === c ? (filters[o % m] as number) : 0)));
    }),
  );
}
