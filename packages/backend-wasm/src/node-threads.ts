// Multithreaded WebAssembly in Node. tfjs-backend-wasm ships a threaded-SIMD binary (XNNPACK with a
// pthread pool) but never uses it in Node: its loader hands Emscripten a Blob URL for the worker
// script, which Node's worker_threads cannot open, and its feature flag answers "no threads" in
// Node. This module builds the same Emscripten module with what Node needs: the worker script as
// a file on disk and the main script by path. Loaded only in Node (dynamic import).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The parts of the Emscripten module the backend and this loader use. */
export interface ThreadedWasmModule {
  cwrap(name: string, returns: string | null, args: string[]): (...args: number[]) => number | void;
  PThread: { unusedWorkers: { unref(): void }[]; runningWorkers: { unref(): void }[] };
  tfjs?: Record<string, unknown>;
}

type Factory = (config: Record<string, unknown>) => Promise<ThreadedWasmModule>;
type Receive = (instance: WebAssembly.Instance, module: WebAssembly.Module) => void;

const BINARY = 'tfjs-backend-wasm-threaded-simd';

/**
 * Instantiates tfjs-backend-wasm's threaded-SIMD module in Node with a pool of `threads` threads,
 * with the same JS bridge (`module.tfjs`) as tfjs's own loader, ready for `new BackendWasm(module)`.
 */
export async function createThreadedWasmModule(threads: number): Promise<ThreadedWasmModule> {
  const require = createRequire(import.meta.url);
  const out = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  const factory = require(join(out, `${BINARY}.js`)) as Factory;
  const { wasmWorkerContents } = require(join(out, `${BINARY}.worker.js`)) as { wasmWorkerContents: string };

  const dir = mkdtempSync(join(tmpdir(), 'dl4ts-wasm-threads-'));
  const workerFile = join(dir, `${BINARY}.worker.js`);
  // The worker source is kept in a template literal whose "\n" escapes became real line breaks,
  // some inside string literals; escaping them again restores the script (tfjs does the same).
  writeFileSync(workerFile, wasmWorkerContents.replace(/\n/g, '\\n'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));

  const wasmFile = join(out, `${BINARY}.wasm`);
  let failInstantiation: (error: unknown) => void = () => undefined;
  const instantiationFailed = new Promise<never>((_, reject) => (failInstantiation = reject));
  const module = await Promise.race([
    factory({
      locateFile: (path: string) => (path.endsWith('.worker.js') ? workerFile : path.endsWith('.wasm') ? wasmFile : join(out, path)),
      // Each pthread worker evaluates the main script itself; in Node it reads it from this path.
      mainScriptUrlOrBlob: join(out, `${BINARY}.js`),
      instantiateWasm: (imports: { env: Record<string, unknown> }, receive: Receive) => {
        // tfjs's C++ caps the pool at half the logical cores it is told about (it assumes two
        // hyper-threads per core), so on a 2-core machine it would never start a second thread.
        // It asks once, at start-up; answering 2 x threads lets the requested count through.
        imports.env.emscripten_num_logical_cores = () => 2 * threads;
        WebAssembly.instantiate(readFileSync(wasmFile), imports as WebAssembly.Imports).then(
          ({ instance, module: compiled }) => receive(instance, compiled),
          failInstantiation,
        );
        return {};
      },
    }),
    instantiationFailed,
  ]);
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

/** `threads: true` in Node: the logical cores, at most 8 (the most tfjs-backend-wasm's pool allows). */
export function nodeCores(): number {
  return Math.min(8, Math.max(1, availableParallelism()));
}

/** Lets the process exit while the pool's workers idle (they would otherwise keep Node alive). */
export function unrefWorkers(module: ThreadedWasmModule): void {
  for (const worker of [...module.PThread.unusedWorkers, ...module.PThread.runningWorkers]) worker.unref();
}
