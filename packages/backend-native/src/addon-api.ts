/** The functions of the native module (native/*.cc). Arrays are read and written in place. */
export interface NativeAddon {
  readonly abiVersion: number;
  matMul(a: Float32Array, b: Float32Array, out: Float32Array, batchA: number, batchB: number, m: number, n: number, k: number, transposeA: boolean, transposeB: boolean, bias: Float32Array | null, biasMode: number, activation: number, alpha: number): void;
  unary(op: number, x: Float32Array, out: Float32Array, p: number, q: number): void;
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, meta: Int32Array): void;
  compare(op: number, a: Float32Array, b: Float32Array, out: Uint8Array, meta: Int32Array): void;
  reduce(op: number, x: Float32Array, out: Float32Array, outer: number, size: number, inner: number): void;
  softmax(x: Float32Array, out: Float32Array, rows: number, cols: number, log: boolean): void;
  strided(x: Float32Array | Int32Array, out: Float32Array | Int32Array, meta: Int32Array, offset: number): void;
  pad(x: Float32Array, out: Float32Array, meta: Int32Array, offset: number, value: number): void;
  concat(inputs: (Float32Array | Int32Array)[], out: Float32Array | Int32Array, outer: number, widths: Int32Array): void;
  gather(x: Float32Array | Int32Array, indices: Int32Array, out: Float32Array | Int32Array, outer: number, axisSize: number, inner: number): number;
  updater(rule: number, g: Float32Array, states: Float32Array[], outs: Float32Array[], constants: Float64Array): void;
  lstmForward(xw: Float32Array, rw: Float32Array, h0: Float32Array, c0: Float32Array, mask: Float32Array | null, packed: Float32Array, gates: Float32Array, cs: Float32Array, tcs: Float32Array, batch: number, time: number, n: number): void;
  lstmBackward(dy: Float32Array, gates: Float32Array, cs: Float32Array, tcs: Float32Array, packed: Float32Array, rw: Float32Array, h0: Float32Array, c0: Float32Array, mask: Float32Array | null, dxw: Float32Array, drw: Float32Array, dh0: Float32Array, dc0: Float32Array, batch: number, time: number, n: number): void;
  applyUpdate(rule: number, w: Float32Array, g: Float32Array, states: Float32Array[], outW: Float32Array, outStates: Float32Array[], constants: Float64Array, l1: number, l2: number, decay: number): void;
  sumSquares(x: Float32Array): number;
  countNonFinite(x: Float32Array): number;
  retainMemory(mmapThreshold: number, trimThreshold: number): boolean;
  setThreads(threads: number): void;
  getThreads(): { blas: number; pool: number; parallelThreshold: number };
  setParallelThreshold(elements: number): void;
  blasConfig(): string;
}
