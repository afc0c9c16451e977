import { DataSet } from '../data-set';
import { Rng } from '../random';

/**
 * A seeded classification set for tests: `n` examples of `features` columns uniform in [-1, 1],
 * each labelled (one-hot over `classes`) by a fixed rule of its features, so a network can learn
 * it. The same arguments give the same bits in every process, which tests of separate workers rely on.
 *
 * @example
 * ```ts
 * const data = syntheticClassification(64, 6, 3, 1); // 64 x 6 features, 64 x 3 labels
 * ```
 */
export function syntheticClassification(n: number, features: number, classes: number, seed: number): DataSet {
  const rng = new Rng(seed);
  const x = new Float32Array(n * features);
  const y = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < features; j++) {
      const v = rng.uniformRange(-1, 1);
      x[i * features + j] = v;
      s += v * (j + 1);
    }
    y[i * classes + (Math.abs(Math.floor(s * 3)) % classes)] = 1;
  }
  return DataSet.from(x, y, { features: [n, features], labels: [n, classes] });
}
