// Core's FUSED_KERNELS.dropoutMask: the inverted-dropout mask drawn natively, vectorised and split
// over the pool, with exactly the values of core's `dropoutMaskValues` (JavaScript would take about
// 7 ns a value: 2.7 ms for the 378,000 values of one DBN step's masks).
import { FUSED_KERNELS, formatValue, fusedKernelAttrs } from '@dl4ts/core';
import { type NativeKernel, type NativeKernelFunc, allocateFloat32, output } from './kernel-util';

function fail(message: string): never {
  throw new Error(`@dl4ts/backend-native ${FUSED_KERNELS.dropoutMask}: ${message}`);
}

export const dropoutMaskKernels: NativeKernel[] = [
  {
    kernelName: FUSED_KERNELS.dropoutMask,
    create: (addon): NativeKernelFunc => (args) => {
      const { shape, seed, keep, scale } = fusedKernelAttrs(FUSED_KERNELS.dropoutMask, args.attrs);
      if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) fail(`seed must be a 32-bit unsigned integer, received ${formatValue(seed)}`);
      if (!(keep > 0 && keep <= 1)) fail(`keep must be in (0, 1], received ${formatValue(keep)}`);
      const size = shape.reduce((a, b) => a * b, 1);
      const values = allocateFloat32(size);
      addon.dropoutMask(values, seed, keep, scale);
      return output(args.backend, [...shape], 'float32', values);
    },
  },
];
