/**
 * Runs `init` and removes the `uncaughtException` and `unhandledRejection` listeners it added to
 * Node's `process`. tfjs-backend-wasm's Emscripten glue installs listeners that rethrow every
 * error from inside its own file, so an application's uncaught error was printed under a
 * `tf-backend-wasm.node.js:8597 throw ex;` header that reads like a crash of the WebAssembly module.
 * Without them Node reports the application's errors itself, as it would without the backend.
 * Outside Node this only runs `init`.
 */
export async function withoutAddedProcessHandlers<T>(init: () => Promise<T>): Promise<T> {
  const node = typeof process === 'object' && typeof process.listeners === 'function';
  if (!node) return init();
  const uncaught = new Set(process.listeners('uncaughtException'));
  const rejection = new Set(process.listeners('unhandledRejection'));
  try {
    return await init();
  } finally {
    for (const listener of process.listeners('uncaughtException')) if (!uncaught.has(listener)) process.removeListener('uncaughtException', listener);
    for (const listener of process.listeners('unhandledRejection')) if (!rejection.has(listener)) process.removeListener('unhandledRejection', listener);
  }
}
