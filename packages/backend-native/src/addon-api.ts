/** The functions of the native module (native/*.cc). Arrays are read and written in place. */
export interface NativeAddon {
  readonly abiVersion: number;
  matMul(a: Float32Array, b: Float32Array, out: Float32Array, batchA: number, batchB: number, m: number, n: number, k: number, transposeA: boolean, transposeB: boolean, bias: Float32Array | null, biasMode: number, activation: number, alpha: number): void;
  /** The bias (none, scalar or column mode) and activation of {@link NativeAddon.matMul}'s epilogue, in place over `out [rows, cols]`. */
  epilogue(out: Float32Array, rows: number, cols: number, bias: Float32Array | null, biasMode: number, activation: number, alpha: number): void;
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
  /** The LSTM recurrence over a sequence (native/lstm.cc documents the layouts); fills packed, gates, cs and tcs. */
  lstmForward(args: LstmForwardArgs): void;
  /** Its backward pass; fills dxw, drw, dh0 and dc0. */
  lstmBackward(args: LstmBackwardArgs): void;
  /** The windows of NHWC images as rows (native/conv.cc): `cols [batch outH outW, kernelH kernelW channels]`. */
  im2col(args: WindowArgs & { readonly x: Float32Array; readonly cols: Float32Array }): void;
  /** The adjoint of {@link NativeAddon.im2col}: `dx` zeroed, then every row added back where its window read. */
  col2im(args: WindowArgs & { readonly cols: Float32Array; readonly dx: Float32Array }): void;
  /** Each window's maximum per channel, `out [batch, outH, outW, channels]`, and where it was in `x` (-1 for an empty window) into `argmax` when given. */
  maxPool(args: WindowArgs & { readonly x: Float32Array; readonly out: Float32Array; readonly argmax: Int32Array | null }): void;
  /** Each window's gradient added at its first maximum; `dx` zeroed first. */
  maxPoolGrad(args: WindowArgs & { readonly x: Float32Array; readonly dy: Float32Array; readonly dx: Float32Array }): void;
  /** The convolution as plain loops (inputs of few channels): `out [batch outH outW, outChannels]` from `filter [kh, kw, channels, outChannels]`. */
  directConv(args: WindowArgs & { readonly outChannels: number; readonly x: Float32Array; readonly filter: Float32Array; readonly out: Float32Array }): void;
  /** Its filter gradient as plain loops: `dw [kh, kw, channels, outChannels]`. */
  directConvFilterGrad(args: WindowArgs & { readonly outChannels: number; readonly x: Float32Array; readonly dy: Float32Array; readonly dw: Float32Array }): void;
  /** Each window's mean per channel over the inputs inside the image. */
  avgPool(args: WindowArgs & { readonly x: Float32Array; readonly out: Float32Array }): void;
  /** Each window's gradient spread evenly over the inputs it averaged; `dx` zeroed first. */
  avgPoolGrad(args: WindowArgs & { readonly dy: Float32Array; readonly dx: Float32Array }): void;
  applyUpdate(rule: number, w: Float32Array, g: Float32Array, states: Float32Array[], outW: Float32Array, outStates: Float32Array[], constants: Float64Array, l1: number, l2: number, decay: number): void;
  sumSquares(x: Float32Array): number;
  /** Core's `dropoutMaskValues(seed, out.length, keep, scale)`, written into `out`. */
  dropoutMask(out: Float32Array, seed: number, keep: number, scale: number): void;
  countNonFinite(x: Float32Array): number;
  retainMemory(mmapThreshold: number, trimThreshold: number): boolean;
  setThreads(threads: number): void;
  getThreads(): { blas: number; pool: number; parallelThreshold: number };
  setParallelThreshold(elements: number): void;
  blasConfig(): string;
}

/** Named arguments of {@link NativeAddon.lstmForward}: the sizes, the inputs, and the arrays it fills. */
export interface LstmForwardArgs {
  readonly batch: number;
  readonly time: number;
  readonly units: number;
  readonly xw: Float32Array;
  readonly rw: Float32Array;
  readonly h0: Float32Array;
  readonly c0: Float32Array;
  readonly mask: Float32Array | null;
  readonly packed: Float32Array;
  readonly gates: Float32Array;
  readonly cs: Float32Array;
  readonly tcs: Float32Array;
}

/** Named arguments of {@link NativeAddon.lstmBackward}. */
export interface LstmBackwardArgs {
  readonly batch: number;
  readonly time: number;
  readonly units: number;
  readonly dy: Float32Array;
  readonly gates: Float32Array;
  readonly cs: Float32Array;
  readonly tcs: Float32Array;
  readonly packed: Float32Array;
  readonly rw: Float32Array;
  readonly h0: Float32Array;
  readonly c0: Float32Array;
  readonly mask: Float32Array | null;
  readonly dxw: Float32Array;
  readonly drw: Float32Array;
  readonly dh0: Float32Array;
  readonly dc0: Float32Array;
}

/** Windows over a batch of NHWC images, as the functions of native/conv.cc read them. */
export interface WindowArgs {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly kernelH: number;
  readonly kernelW: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly dilationH: number;
  readonly dilationW: number;
  readonly outH: number;
  readonly outW: number;
  readonly padTop: number;
  readonly padLeft: number;
}
