// PyTorch as a contender in the same invocation: a long-lived Python process (bench/python/
// contender.py) that builds the same model and trains or infers on request, so its rounds
// interleave with dl4ts's like any contender's. Skipped, with the reason, where no Python with
// torch is found. Every wait has a deadline.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Contender } from './harness';
import { dataRoot } from './data';

/** bench/python, found upward from this module (which tsup may place in dist/ or dist/cases/). */
function scriptsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'python', 'contender.py'))) return join(dir, 'python');
    dir = dirname(dir);
  }
  throw new Error('bench/python/contender.py not found above this module');
}
const SCRIPTS = scriptsDir();

/** What PyTorch said of itself when it started. */
export interface TorchInfo {
  readonly torch: string;
  readonly threads: number;
  /** A 512x512 product's GFLOP/s: a few for the reference BLAS, hundreds for OpenBLAS. */
  readonly gemm_gflops: number;
  readonly openblas_coretype: string;
  /** `openblas_get_config()` of the OpenBLAS torch loaded, read through ctypes ('' where none is). */
  readonly openblas_config: string;
  /** The ONNX file it exported its model to (`onnx` option), else ''. */
  readonly onnx: string;
}

/** Every PyTorch contender started in this process, with its OpenBLAS, for the case's report. */
export const startedTorch: { name: string; openblasConfig: string }[] = [];

/**
 * The Python to use: DL4TS_PYTHON, else Debian's /usr/bin/python3, else python3 on PATH, the first
 * that imports torch. (The `python3` first on PATH on these machines is another install without it.)
 */
export function findTorch(): { python: string; version: string } | { reason: string } {
  const candidates = [process.env.DL4TS_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => p !== undefined && p !== '');
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
    if (probe.status === 0) return { python, version: probe.stdout.trim() };
  }
  return { reason: `no Python with torch among ${candidates.join(', ')} (Debian: apt-get install python3-torch libopenblas0-pthread; or set DL4TS_PYTHON)` };
}

/** Options of {@link pytorchContender}. */
export interface PytorchOptions {
  readonly model: 'mlp' | 'mlp-latency' | 'lstm' | 'lenet';
  readonly threads: number;
  /** Units (samples, characters, inferences) per round. */
  readonly units: number;
  readonly flopsPerUnit?: number;
  /** Longest wait for one reply, seconds. Default 600. */
  readonly deadlineSeconds?: number;
  /** `mlp-latency`: also export the model to this ONNX file (for onnxruntime, on the same weights). */
  readonly onnx?: string;
}

/** A started PyTorch contender and what it reported of itself. */
export interface PytorchContender extends Contender {
  readonly info: TorchInfo;
  /** The training loss of its last round (0 for inference). */
  lastLoss(): number;
}

/** Starts `contender.py` and waits for its ready line. */
export async function pytorchContender(python: string, options: PytorchOptions): Promise<PytorchContender> {
  const deadline = (options.deadlineSeconds ?? 600) * 1000;
  const threads = String(options.threads);
  const child: ChildProcessWithoutNullStreams = spawn(python, [join(SCRIPTS, 'contender.py'), '--model', options.model, '--threads', threads, '--data', dataRoot(), ...(options.onnx === undefined ? [] : ['--onnx', options.onnx])], {
    cwd: SCRIPTS,
    env: { ...process.env, OMP_NUM_THREADS: threads, OPENBLAS_NUM_THREADS: threads, MKL_NUM_THREADS: threads },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string | Error) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  child.on('error', (error) => {
    for (const w of waiting.splice(0)) w(new Error(`PyTorch contender could not run: ${error.message}`));
  });
  child.on('close', (code) => {
    for (const w of waiting.splice(0)) w(new Error(`PyTorch contender exited (${String(code)}): ${stderr.trim().split('\n').slice(-3).join(' / ')}`));
  });
  const next = (what: string): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`PyTorch contender gave no ${what} within ${deadline / 1000} s`));
      }, deadline);
      waiting.push((line) => {
        clearTimeout(timer);
        if (line instanceof Error) reject(line);
        else resolve(JSON.parse(line) as Record<string, unknown>);
      });
    });
  const info = (await next('ready line')) as unknown as TorchInfo;
  let loss = Number.NaN;
  const name = `PyTorch ${info.torch}, ${info.threads} thread${info.threads === 1 ? '' : 's'}`;
  startedTorch.push({ name, openblasConfig: info.openblas_config });
  return {
    name,
    foreign: true,
    ...(options.flopsPerUnit === undefined ? {} : { flopsPerUnit: options.flopsPerUnit }),
    info,
    lastLoss: () => loss,
    async round() {
      const reply = next('reply');
      child.stdin.write(JSON.stringify({ units: options.units }) + '\n');
      const answer = await reply;
      loss = answer.loss as number;
      return answer.units as number;
    },
    dispose: () => {
      child.stdin.end();
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    },
  };
}
