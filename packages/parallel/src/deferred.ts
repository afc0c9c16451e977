/** A promise with its resolve and reject functions, for waits that messages end. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A failure that nobody awaits yet must not become an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
