// The self-check run once after the addon loads: a few products on the kernel OpenBLAS chose,
// against float64, within the float32 error bound of a dot product (gamma_K sum_k |a_ik||b_kj|, which
// every correct kernel meets whatever its order of summation). It catches a core type that computes
// wrong results on this CPU (older OpenBLAS builds did so on some AMD machines) before any model
// trains on it.
import type { NativeAddon } from './addon-api';

/** The products checked: one blocked in every transpose layout, one row (OpenBLAS's sgemv path), and one large enough to run on the BLAS threads. */
const PRODUCTS: readonly { m: number; n: number; k: number; ta: boolean; tb: boolean }[] = [
  { m: 67, n: 53, k: 45, ta: false, tb: false },
  { m: 31, n: 29, k: 37, ta: true, tb: true },
  { m: 1, n: 50, k: 97, ta: false, tb: false },
  { m: 160, n: 160, k: 192, ta: false, tb: true },
];

/** Deterministic values in (-1, 1), exact in float32. */
function values(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.7548776662 + seed * 1.3247179572));
}

/** Runs the products; returns undefined when all pass, otherwise what went wrong. */
export function blasSelfCheck(addon: NativeAddon): string | undefined {
  const u = 2 ** -24;
  for (const { m, n, k, ta, tb } of PRODUCTS) {
    const a = values(m * k, m + k);
    const b = values(k * n, n + 3);
    const out = new Float32Array(m * n).fill(Number.NaN);
    addon.matMul(a, b, out, 1, 1, m, n, k, ta, tb, null, 0, 0, 0);
    const gammaK = (k * u) / (1 - k * u);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        let abs = 0;
        for (let q = 0; q < k; q++) {
          const term = (a[ta ? q * m + i : i * k + q] as number) * (b[tb ? j * k + q : q * n + j] as number);
          sum += term;
          abs += Math.abs(term);
        }
        const got = out[i * n + j] as number;
        if (!(Math.abs(got - sum) <= gammaK * abs)) {
          return `a ${m}x${k} by ${k}x${n} product (transposeA=${ta}, transposeB=${tb}) gave ${got} at [${i}, ${j}] where float64 gives ${sum}, beyond the float32 error bound ${gammaK * abs}`;
        }
      }
    }
  }
  return undefined;
}
