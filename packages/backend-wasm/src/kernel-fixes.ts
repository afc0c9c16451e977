import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { conv2dBackpropFilter, conv2dBackpropInput } from './conv-gradients';
import { avgPoolGrad, maxPoolGrad } from './pool-gradients';
import { depthwiseBackpropFilter, depthwiseBackpropInput } from './depthwise-gradients';
import { unsortedSegmentSum, viewGather, viewSlice, viewUnpack } from './slice-fixes';

/**
 * Replacements for tfjs-backend-wasm 4.22 kernels whose stock versions make training slow (or, for
 * `MaxPoolGrad`, wrong). Each gives the values of tfjs's cpu kernel; only the work done differs.
 *
 * - `BatchMatMul` and `_FusedMatMul` with `transposeA` or `transposeB`: the stock kernel falls back
 *   to a naive loop that runs about 8x slower than the untransposed (XNNPACK) product, and every
 *   matMul gradient asks for a transposed product (`dx = dy W^T`, `dW = x^T dy`). The replacement
 *   transposes the operand explicitly (cheap: one copy) and runs the fast untransposed product.
 * - `Identity`: the stock kernel copies the data. tfjs's autodiff clones every tensor it saves for
 *   the backward pass, so each training step copied every weight matrix. The replacement shares
 *   the data by reference counting, as the CPU backend and the wasm `Reshape` kernel already do;
 *   no wasm kernel writes into its inputs, so sharing is safe.
 * - `Slice` and `Unpack`: the stock kernels copy the whole input out of the heap for every slice,
 *   so unstacking the T steps of a sequence (every recurrent layer does) costs T copies of it. The
 *   replacements read the input through a heap view and copy only the slice.
 * - `GatherV2`: the stock kernel moves every element through its strides; gathering a minibatch of
 *   rows cost as much as the step's largest matrix product. The replacement copies whole slices.
 * - `MaxPoolGrad`: the stock kernel loses the gradient of some windows at the input's edge (a
 *   wrong value, not a slow one); the replacement routes each window's gradient to its maximum.
 * - `Conv2DBackpropInput`: the stock kernel is a direct loop, 8x slower than one XNNPACK product
 *   and col2im, which replace it for NHWC data.
 * - `AvgPoolGrad`: with `'same'` padding the stock kernel divides by the whole window, not by the
 *   inputs the forward pass averaged (a wrong gradient at the edges); the replacement does.
 */
export const WASM_KERNEL_FIXES = ['BatchMatMul', '_FusedMatMul', 'Identity', 'Slice', 'Unpack', 'GatherV2', 'MaxPoolGrad', 'Conv2DBackpropInput', 'AvgPoolGrad'] as const;

/**
 * Kernels tfjs-backend-wasm 4.22 does not have, added with the fixes (and removed with them):
 * `UnsortedSegmentSum`, which the gradient of `gather` needs (embeddings), and
 * `Conv2DBackpropFilter`, which the gradient of every convolution needs, and the two gradients of a
 * depthwise convolution (depthwise and separable layers).
 */
export const WASM_ADDED_KERNELS = ['UnsortedSegmentSum', 'Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter'] as const;

/** What the replacement kernels need from tfjs-backend-wasm's `BackendWasm`. */
interface RefCountingBackend {
  incRef(dataId: object): void;
  disposeData(dataId: object, force?: boolean): boolean;
}

let installed: KernelConfig[] | undefined;
let added: (typeof WASM_ADDED_KERNELS)[number][] = [];

/**
 * Registers the replacement kernels for the `wasm` backend (see {@link WASM_KERNEL_FIXES}) and
 * returns a function that restores the stock ones. Idempotent: while installed, a second call
 * changes nothing and returns the same restore function. `wasmBackend().activate()` calls this
 * unless the adapter was created with `kernelFixes: false`. Needs tfjs-backend-wasm loaded.
 */
export function installWasmKernelFixes(): () => void {
  if (installed === undefined) {
    const stock = WASM_KERNEL_FIXES.map((name) => {
      const config = tf.getKernel(name, 'wasm');
      if (config === undefined) throw new Error(`installWasmKernelFixes: tfjs-backend-wasm has not registered its ${name} kernel; load it first`);
      return config;
    });
    const transpose = tf.getKernel('Transpose', 'wasm');
    if (transpose === undefined) throw new Error('installWasmKernelFixes: tfjs-backend-wasm has not registered its Transpose kernel; load it first');
    for (const config of stock) {
      const replace: Record<string, (stock: KernelFunc) => KernelFunc> = {
        Identity: sharingIdentity,
        Slice: viewSlice,
        Unpack: viewUnpack,
        GatherV2: viewGather,
        MaxPoolGrad: () => maxPoolGrad,
        Conv2DBackpropInput: conv2dBackpropInput,
        AvgPoolGrad: () => avgPoolGrad,
      };
      const kernelFunc = replace[config.kernelName]?.(config.kernelFunc) ?? untransposedMatMul(config.kernelFunc, transpose.kernelFunc);
      tf.unregisterKernel(config.kernelName, 'wasm');
      tf.registerKernel({ ...config, kernelFunc });
    }
    // Added only where tfjs has none, so a later tfjs that ships its own keeps it.
    const additions: Record<(typeof WASM_ADDED_KERNELS)[number], KernelFunc> = {
      UnsortedSegmentSum: unsortedSegmentSum,
      Conv2DBackpropFilter: conv2dBackpropFilter,
      DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInput,
      DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilter,
    };
    added = WASM_ADDED_KERNELS.filter((name) => tf.getKernel(name, 'wasm') === undefined);
    for (const name of added) tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: additions[name] });
    installed = stock;
  }
  return restoreStockKernels;
}

/** Whether {@link installWasmKernelFixes} is in effect. */
export function wasmKernelFixesInstalled(): boolean {
  return installed !== undefined;
}

function restoreStockKernels(): void {
  if (installed === undefined) return;
  for (const config of installed) {
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  for (const name of added) tf.unregisterKernel(name, 'wasm');
  added = [];
  installed = undefined;
}

function untransposedMatMul(stock: KernelFunc, transpose: KernelFunc): KernelFunc {
  return (args) => {
    const attrs = (args.attrs ?? {}) as NamedAttrMap & { transposeA?: boolean; transposeB?: boolean };
    if (attrs.transposeA !== true && attrs.transposeB !== true) return stock(args);
    const backend = args.backend as RefCountingBackend;
    const swapLastTwo = (x: TensorInfo): TensorInfo => {
      const rank = x.shape.length;
      const perm = x.shape.map((_, i) => i);
      perm[rank - 2] = rank - 1;
      perm[rank - 1] = rank - 2;
      return transpose({ inputs: { x }, backend: args.backend, attrs: { perm } }) as TensorInfo;
    };
    const a = args.inputs.a as TensorInfo;
    const b = args.inputs.b as TensorInfo;
    const at = attrs.transposeA === true ? swapLastTwo(a) : a;
    const bt = attrs.transposeB === true ? swapLastTwo(b) : b;
    try {
      return stock({ ...args, inputs: { ...args.inputs, a: at, b: bt }, attrs: { ...attrs, transposeA: false, transposeB: false } });
    } finally {
      if (at !== a) backend.disposeData(at.dataId);
      if (bt !== b) backend.disposeData(bt.dataId);
    }
  };
}

function sharingIdentity(stock: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    if (x.dtype === 'string') return stock(args);
    (args.backend as RefCountingBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}
