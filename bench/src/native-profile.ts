// Where a native training step's time goes: tf.profile over a few steps, kernel time split into
// matrix products and the rest, beside the wall time of the same steps unprofiled.
import * as tf from '@tensorflow/tfjs-core';

/** Kernels that are matrix products (the fused LSTM kernels are mostly products too, reported apart). */
const PRODUCTS = new Set(['BatchMatMul', '_FusedMatMul', 'Dl4tsDense']);

/** The profile of `run` (which it calls twice: once timed plainly, once under tf.profile). */
export async function profileSteps(run: () => Promise<void>, steps: number): Promise<Record<string, string>> {
  const started = performance.now();
  await run();
  const wallMs = (performance.now() - started) / steps;
  const profile = await tf.profile(run);
  const byKernel = new Map<string, { calls: number; ms: number }>();
  // Composite ops (fusedMatMul__op, customGrad's forward) nest kernels: count the leaves only.
  for (const k of profile.kernels) {
    if (k.name.endsWith('__op') || k.name === 'forward') continue;
    const entry = byKernel.get(k.name) ?? { calls: 0, ms: 0 };
    entry.calls++;
    entry.ms += k.kernelTimeMs as number;
    byKernel.set(k.name, entry);
  }
  const total = [...byKernel.values()].reduce((s, e) => s + e.ms, 0) / steps;
  const products = [...byKernel].filter(([name]) => PRODUCTS.has(name)).reduce((s, [, e]) => s + e.ms, 0) / steps;
  const top = [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8);
  return {
    'step wall time (unprofiled)': `${wallMs.toFixed(2)} ms`,
    'kernel time per step (profiled)': `${total.toFixed(2)} ms`,
    'matrix products (BatchMatMul, _FusedMatMul, Dl4tsDense)': `${products.toFixed(2)} ms, ${((100 * products) / wallMs).toFixed(0)}% of the wall step`,
    'outside matrix products': `${(wallMs - products).toFixed(2)} ms, ${((100 * (wallMs - products)) / wallMs).toFixed(0)}% of the wall step (other kernels ${(total - products).toFixed(2)} ms, engine and JavaScript ${(wallMs - total).toFixed(2)} ms)`,
    'top kernels per step': top.map(([name, e]) => `${name} ${(e.ms / steps).toFixed(2)} ms (${(e.calls / steps).toFixed(1)} calls)`).join(', '),
  };
}
