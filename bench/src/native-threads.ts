// The native contenders' thread counts: the backend's default first (the row the native cases
// report as dl4ts's), then the other of 1 and 2.
import { defaultNativeThreads } from '@dl4ts/backend-native';

/** The default thread count, then the other of 1 and 2 (or the default alone where it is neither). */
export function threadCounts(): number[] {
  const d = defaultNativeThreads();
  return [d, ...[1, 2].filter((t) => t !== d)];
}

/** A native contender's name: `what, native, N thread(s)`, marked where N is the default. */
export function nativeName(what: string, threads: number): string {
  return `${what}, native, ${threads} thread${threads === 1 ? '' : 's'}${threads === defaultNativeThreads() ? ' (default)' : ''}`;
}
