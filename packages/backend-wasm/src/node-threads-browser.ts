// What `#node-threads` resolves to outside Node (package.json "imports"): browsers get threads from
// tfjs's own loader, so nothing here is ever called; it exists so that bundlers find no `node:`
// module in this package.
import { BackendError } from '@dl4ts/core';
import type { ThreadedWasmModule } from './node-threads';

export type { ThreadedWasmModule };

export function createThreadedWasmModule(): Promise<ThreadedWasmModule> {
  return Promise.reject(new BackendError("dl4ts's threaded wasm loader runs in Node.js only; in a browser, tfjs loads the threaded binary itself"));
}

export function unrefWorkers(): void {}

export function nodeCores(): number {
  return 1;
}
