// Reuse of kernel output storage. Every kernel output is a new typed array; in a training loop the
// same sizes come back every step, and a fresh multi-megabyte array costs more than the op that
// fills it (the allocation, the first touch of its pages, and the garbage collections V8 starts
// as external memory grows). The pool keeps the storage of disposed outputs and hands it to the
// next output of the same size.
//
// Safety: storage is pooled only where the backend alone can see it. The pool counts the tensors
// (data ids) whose values lie in each pooled buffer (a reshape shares the id; a cpu kernel's
// contiguous slice is a view into the same buffer under a new id: both are counted), and takes a
// buffer back only when the last of them is disposed. Reads (`dataSync`, `data`, `bufferSync`,
// moving to another backend) hand out a copy of pooled storage, never the storage itself, so no
// array a user holds is ever rewritten.

/** Below this many elements, outputs are ordinary zero-filled arrays on V8's heap (cheap to make). */
export const POOL_MIN_ELEMENTS = 4096;

export class BufferPool {
  /** Free buffers by byte length. */
  private readonly free = new Map<number, ArrayBuffer[]>();
  /** Live data ids per pooled buffer; a buffer is pooled iff it is a key here or in `free`. */
  private readonly holders = new WeakMap<ArrayBuffer, number>();
  private freeBytes = 0;
  /** Buffers made and reused, for tests and the bench. */
  readonly stats = { allocated: 0, reused: 0, returned: 0, dropped: 0 };

  /** @param maxFreeBytes The most free storage kept; beyond it disposed buffers go to the GC. 0 disables pooling. */
  constructor(public maxFreeBytes: number) {}

  /** A Float32Array of `size` elements, uninitialised (the kernel writes every element). */
  allocateFloat32(size: number): Float32Array {
    if (size < POOL_MIN_ELEMENTS) return new Float32Array(size);
    const bytes = size * 4;
    const list = this.free.get(bytes);
    const reused = list?.pop();
    if (reused !== undefined) {
      this.freeBytes -= bytes;
      this.stats.reused++;
      this.holders.set(reused, 0);
      return new Float32Array(reused, 0, size);
    }
    const buffer = Buffer.allocUnsafeSlow(bytes).buffer as ArrayBuffer;
    this.stats.allocated++;
    if (this.maxFreeBytes > 0) this.holders.set(buffer, 0);
    return new Float32Array(buffer, 0, size);
  }

  /** Whether `values` lie in pooled storage (reads must copy them). */
  owns(values: unknown): boolean {
    return ArrayBuffer.isView(values) && this.holders.has(values.buffer as ArrayBuffer);
  }

  /** A data id now holds `values` (the backend's write and move). */
  retain(values: unknown): void {
    if (!ArrayBuffer.isView(values)) return;
    const buffer = values.buffer as ArrayBuffer;
    const count = this.holders.get(buffer);
    if (count !== undefined) this.holders.set(buffer, count + 1);
  }

  /** A data id that held `values` is gone; the buffer returns to the pool when it was the last. */
  release(values: unknown): void {
    if (!ArrayBuffer.isView(values)) return;
    const buffer = values.buffer as ArrayBuffer;
    const count = this.holders.get(buffer);
    if (count === undefined) return;
    if (count > 1) {
      this.holders.set(buffer, count - 1);
      return;
    }
    if (this.freeBytes + buffer.byteLength > this.maxFreeBytes) {
      this.holders.delete(buffer);
      this.stats.dropped++;
      return;
    }
    // Keep the buffer marked as pooled (a free buffer is never in a live array's hands).
    this.holders.set(buffer, 0);
    const list = this.free.get(buffer.byteLength) ?? [];
    list.push(buffer);
    this.free.set(buffer.byteLength, list);
    this.freeBytes += buffer.byteLength;
    this.stats.returned++;
  }

  /** Drops every free buffer (to the GC). */
  clear(): void {
    this.free.clear();
    this.freeBytes = 0;
  }

  /** Bytes of free storage held. */
  get heldBytes(): number {
    return this.freeBytes;
  }
}

/** The process's pool (the native backend is registered once per process). 256 MiB of free storage by default. */
export const bufferPool = new BufferPool(256 * 1024 * 1024);
