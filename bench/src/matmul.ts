// How far the wasm backend is from this machine's limit: GFLOP/s of the matrix products of one
// MLP 784-500-250-10 training step (batch 128) on tfjs-backend-wasm, stock and with dl4ts's kernel
// fixes, beside OpenBLAS sgemm through numpy (1 and all threads) when python3 with numpy is on
// PATH, in the same invocation; and the share of a dl4ts training step spent in matrix products.
//
//   pnpm --filter @dl4ts/bench run bench:matmul [-- --seconds 1]
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@dl4ts/core';
import { installWasmKernelFixes, wasmBackend } from '@dl4ts/backend-wasm';
import { mlpNetwork } from './mlp-models';
import { mnistOrRandom } from './data';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '1' } } });
const seconds = Number(values.seconds);

/** [m, k, n, transposeA, transposeB, what]: the products of forward and backward passes. */
const SHAPES: [number, number, number, boolean, boolean, string][] = [
  [128, 784, 500, false, false, 'forward layer 1: x W1'],
  [128, 500, 250, false, false, 'forward layer 2'],
  [784, 128, 500, true, false, 'gradient of W1: x^T dY'],
  [128, 250, 500, false, true, 'gradient of the input of layer 2: dY W2^T'],
  [1024, 1024, 1024, false, false, 'square 1024 (reference)'],
];

async function gflops(m: number, k: number, n: number, ta: boolean, tb: boolean): Promise<number> {
  const a = tf.randomNormal(ta ? [k, m] : [m, k], 0, 1, 'float32', 1) as tf.Tensor2D;
  const b = tf.randomNormal(tb ? [n, k] : [k, n], 0, 1, 'float32', 2) as tf.Tensor2D;
  let reps = 0;
  // Warm-up, then as many products as fit in the time; each is read back so nothing stays queued.
  tf.dispose(tf.matMul(a, b, ta, tb));
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    const c = tf.matMul(a, b, ta, tb);
    await c.data();
    c.dispose();
    reps++;
  }
  const elapsed = (performance.now() - t0) / 1000;
  tf.dispose([a, b]);
  return (2 * m * k * n * reps) / elapsed / 1e9;
}

function numpy(threads: number): number[] | string {
  const script = `
import sys, time, numpy as np
res = []
for m, k, n, ta, tb in ${JSON.stringify(SHAPES.map(([m, k, n, ta, tb]) => [m, k, n, ta ? 1 : 0, tb ? 1 : 0]))}:
    a = np.random.rand(*((k, m) if ta else (m, k))).astype(np.float32)
    b = np.random.rand(*((n, k) if tb else (k, n))).astype(np.float32)
    A = a.T if ta else a
    B = b.T if tb else b
    A @ B
    reps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < ${seconds}:
        A @ B; reps += 1
    res.append(2 * m * k * n * reps / (time.perf_counter() - t0) / 1e9)
print(" ".join(f"{x:.2f}" for x in res))
`;
  // OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE may be set on these machines for old OpenBLAS builds; they
  // slow a current one, so this measurement alone runs without them.
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: String(threads) };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const run = spawnSync('python3', ['-c', script], { env, encoding: 'utf8' });
  if (run.status !== 0) return `numpy not available (${(run.stderr || run.error?.message || '').trim().split('\n').pop()})`;
  return run.stdout.trim().split(' ').map(Number);
}

/** Share of one dl4ts training step's kernel time spent in matrix products, from tf.profile. */
async function matmulShare(): Promise<{ share: number; top: string }> {
  const { data } = await mnistOrRandom(128);
  const net = mlpNetwork(1);
  await net.fit(data, { epochs: 1, batchSize: 128 }); // warm-up
  const profile = await tf.profile(async () => {
    await net.fit(data, { epochs: 1, batchSize: 128 });
  });
  const byKernel = new Map<string, number>();
  for (const k of profile.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
  const total = [...byKernel.values()].reduce((s, x) => s + x, 0);
  const mm = (byKernel.get('BatchMatMul') ?? 0) + (byKernel.get('_FusedMatMul') ?? 0);
  const top = [...byKernel.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([n, ms]) => `${n} ${((100 * ms) / total).toFixed(0)}%`).join(', ');
  net.dispose();
  data.dispose();
  return { share: mm / total, top };
}

await selectBackend('wasm', [wasmBackend()]);
const rows: string[] = [];
const blas1 = numpy(1);
const blasAll = numpy(cpus().length);
for (const [i, [m, k, n, ta, tb, what]] of SHAPES.entries()) {
  const restore = installWasmKernelFixes();
  restore();
  const stock = await gflops(m, k, n, ta, tb);
  installWasmKernelFixes();
  const fixed = await gflops(m, k, n, ta, tb);
  const b1 = typeof blas1 === 'string' ? NaN : (blas1[i] as number);
  const bAll = typeof blasAll === 'string' ? NaN : (blasAll[i] as number);
  rows.push(`| ${what} (${m}x${k} by ${k}x${n}${ta ? ', A transposed' : ''}${tb ? ', B transposed' : ''}) | ${stock.toFixed(1)} | ${fixed.toFixed(1)} | ${b1.toFixed(1)} | ${bAll.toFixed(1)} | ${(bAll / fixed).toFixed(1)}x |`);
}
const { share, top } = await matmulShare();
console.log(`\nGFLOP/s, ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${cpus().length} cores\n`);
console.log(`| product | wasm stock | wasm + dl4ts fixes | OpenBLAS 1 thread | OpenBLAS ${cpus().length} threads | OpenBLAS all / wasm fixed |`);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
if (typeof blas1 === 'string') console.log(`\n${blas1}`);
console.log(`\nOne dl4ts training step (784-500-250-10, batch 128) on wasm: ${(100 * share).toFixed(0)}% of kernel time in matrix products; by kernel: ${top}.`);
