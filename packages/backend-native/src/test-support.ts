// Shared by the native backend's tests: whether the addon is here, and the backend activated once.
import { selectBackend } from '@dl4ts/core';
import { loadAddon } from './addon';
import { nativeBackend } from './native-backend';

const loaded = loadAddon();

/** Whether the native tests run: the addon loads here. With DL4TS_REQUIRE_NATIVE=1 a missing addon fails instead of skipping. */
export const nativeAvailable = loaded.addon !== undefined;

if (!nativeAvailable) {
  const reason = (loaded as { reason: string }).reason;
  if (process.env.DL4TS_REQUIRE_NATIVE === '1') throw new Error(`DL4TS_REQUIRE_NATIVE=1 but the native addon is unavailable: ${reason}`);
  console.warn(`Skipping the native-kernel tests: ${reason}`);
}

/** Activates the native backend (two threads, so the pool's split paths run too). */
export async function useNative(options: { parallelThreshold?: number } = {}): Promise<void> {
  await selectBackend('native', [nativeBackend({ threads: 2, ...options })]);
}

/** Counts calls to the addon's `fn` until `stop()`. */
export function startCounting(fn: string): { readonly calls: number; stop(): void } {
  const addon: object | undefined = loaded.addon;
  const original: unknown = addon === undefined ? undefined : Reflect.get(addon, fn);
  if (addon === undefined || typeof original !== 'function') throw new Error(`the addon has no function ${fn}`);
  const counter = {
    calls: 0,
    stop: () => {
      Reflect.set(addon, fn, original);
    },
  };
  Reflect.set(addon, fn, (...args: unknown[]) => {
    counter.calls++;
    return Reflect.apply(original, addon, args);
  });
  return counter;
}

/**
 * Runs `body` counting calls to the addon's `fn`, and returns the count: tests assert the native
 * path ran, so a kernel quietly falling back to tfjs-backend-cpu cannot pass as native.
 */
export function countNativeCalls<T>(fn: string, body: () => T): { result: T; calls: number } {
  const counter = startCounting(fn);
  try {
    const result = body();
    return { result, calls: counter.calls };
  } finally {
    counter.stop();
  }
}

/** {@link countNativeCalls} for an async body. */
export async function countNativeCallsAsync<T>(fn: string, body: () => Promise<T>): Promise<{ result: T; calls: number }> {
  const counter = startCounting(fn);
  try {
    const result = await body();
    return { result, calls: counter.calls };
  } finally {
    counter.stop();
  }
}
