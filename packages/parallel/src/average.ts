import { ShapeError } from '@dl4ts/core';

/**
 * The element-wise mean of equally long buffers, accumulated in float64 in the order given and
 * rounded once to float32: the same inputs in the same order give the same bits. With `weights`
 * (the examples each replica trained on) that differ, the weighted mean; equal weights give the
 * plain mean's bits. One input is copied unchanged. Writes into `out` (default: a new array) and
 * returns it.
 *
 * @example
 * ```ts
 * averageBuffers([Float32Array.of(1, 2), Float32Array.of(3, 5)]); // Float32Array [2, 3.5]
 * ```
 */
export function averageBuffers(inputs: readonly Float32Array[], out?: Float32Array, weights?: readonly number[]): Float32Array {
  const first = inputs[0];
  if (first === undefined) throw new ShapeError('averageBuffers: received no buffers; expected at least one');
  const n = first.length;
  for (const [i, b] of inputs.entries()) {
    if (b.length !== n) throw new ShapeError(`averageBuffers: buffer ${i} has ${b.length} values, buffer 0 has ${n}; expected equal lengths`, [b.length], [n]);
  }
  if (weights !== undefined && (weights.length !== inputs.length || weights.some((w) => !(w > 0) || !Number.isFinite(w)))) {
    throw new ShapeError(`averageBuffers: expected ${inputs.length} positive finite weights, received [${weights.join(', ')}]`);
  }
  const result = out ?? new Float32Array(n);
  // Equal weights are the plain mean, computed as such (the same bits with or without weights).
  if (weights !== undefined && inputs.length > 1 && weights.some((w) => w !== weights[0])) {
    const total = weights.reduce((a, b) => a + b, 0);
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let i = 0; i < inputs.length; i++) sum += (weights[i] as number) * ((inputs[i] as Float32Array)[j] as number);
      result[j] = sum / total;
    }
    return result;
  }
  if (inputs.length === 1) {
    result.set(first);
    return result;
  }
  const count = inputs.length;
  if (count === 2) {
    // The common case, without the inner loop: the same float64 sum and division as below.
    const [a, b] = inputs as [Float32Array, Float32Array];
    for (let j = 0; j < n; j++) result[j] = ((a[j] as number) + (b[j] as number)) / 2;
    return result;
  }
  for (let j = 0; j < n; j++) {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += (inputs[i] as Float32Array)[j] as number;
    result[j] = sum / count;
  }
  return result;
}
