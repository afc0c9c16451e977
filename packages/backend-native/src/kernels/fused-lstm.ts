// dl4ts's fused LSTM sequence kernels (core's FUSED_KERNELS.lstmSequence / lstmSequenceGrad): the
// whole recurrence and its backward pass in native code (native/lstm.cc), used by @dl4ts/rnn's
// lstmSequence when the backend offers them.
import { FUSED_KERNELS } from '@dl4ts/core';
import type * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon';
import { type KernelArgs, type NativeKernel, type NativeKernelFunc, float32Of, output, allocateFloat32 } from './kernel-util';

function fail(kernel: string, message: string): never {
  throw new Error(`@dl4ts/backend-native ${kernel}: ${message}`);
}

/** The float32 storage of `name`, shape-checked against `shape`. */
function input(args: KernelArgs, kernel: string, name: string, shape: readonly number[]): Float32Array {
  const t = args.inputs[name] as tf.TensorInfo | undefined;
  if (t === undefined) fail(kernel, `input ${name} is missing`);
  const values = float32Of(args.backend, t);
  if (values === undefined) fail(kernel, `${name} must be float32, received ${t.dtype}`);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) fail(kernel, `${name} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  return values;
}

function optionalMask(args: KernelArgs, kernel: string, batch: number, time: number): Float32Array | null {
  return args.inputs.mask === undefined ? null : input(args, kernel, 'mask', [batch, time]);
}

function forward(addon: NativeAddon): NativeKernelFunc {
  const kernel = FUSED_KERNELS.lstmSequence;
  return (args) => {
    const xwInfo = args.inputs.xw as tf.TensorInfo;
    if (xwInfo?.shape.length !== 3 || (xwInfo.shape[2] as number) % 4 !== 0) fail(kernel, 'xw must be [batch, time, 4n]');
    const [batch, time, width] = xwInfo.shape as [number, number, number];
    const n = width / 4;
    const xw = input(args, kernel, 'xw', [batch, time, width]);
    const rw = input(args, kernel, 'rw', [n, width]);
    const h0 = input(args, kernel, 'h0', [batch, n]);
    const c0 = input(args, kernel, 'c0', [batch, n]);
    const mask = optionalMask(args, kernel, batch, time);
    const packed = allocateFloat32(batch * (time + 1) * n);
    const gates = allocateFloat32(batch * time * width);
    const cs = allocateFloat32(batch * time * n);
    const tcs = allocateFloat32(batch * time * n);
    addon.lstmForward({ batch, time, units: n, xw, rw, h0, c0, mask, packed, gates, cs, tcs });
    const b = args.backend;
    return [output(b, [batch, time + 1, n], 'float32', packed), output(b, [batch, time, width], 'float32', gates), output(b, [batch, time, n], 'float32', cs), output(b, [batch, time, n], 'float32', tcs)];
  };
}

function backward(addon: NativeAddon): NativeKernelFunc {
  const kernel = FUSED_KERNELS.lstmSequenceGrad;
  return (args) => {
    const gatesInfo = args.inputs.gates as tf.TensorInfo;
    if (gatesInfo?.shape.length !== 3) fail(kernel, 'gates must be [batch, time, 4n]');
    const [batch, time, width] = gatesInfo.shape as [number, number, number];
    const n = width / 4;
    const dy = input(args, kernel, 'dy', [batch, time + 1, n]);
    const gates = input(args, kernel, 'gates', [batch, time, width]);
    const cs = input(args, kernel, 'cs', [batch, time, n]);
    const tcs = input(args, kernel, 'tcs', [batch, time, n]);
    const packed = input(args, kernel, 'packed', [batch, time + 1, n]);
    const rw = input(args, kernel, 'rw', [n, width]);
    const h0 = input(args, kernel, 'h0', [batch, n]);
    const c0 = input(args, kernel, 'c0', [batch, n]);
    const mask = optionalMask(args, kernel, batch, time);
    const dxw = allocateFloat32(batch * time * width);
    const drw = allocateFloat32(n * width);
    const dh0 = allocateFloat32(batch * n);
    const dc0 = allocateFloat32(batch * n);
    addon.lstmBackward({ batch, time, units: n, dy, gates, cs, tcs, packed, rw, h0, c0, mask, dxw, drw, dh0, dc0 });
    const b = args.backend;
    return [output(b, [batch, time, width], 'float32', dxw), output(b, [n, width], 'float32', drw), output(b, [batch, n], 'float32', dh0), output(b, [batch, n], 'float32', dc0)];
  };
}

export const fusedLstmKernels: NativeKernel[] = [
  { kernelName: FUSED_KERNELS.lstmSequence, create: (addon) => forward(addon) },
  { kernelName: FUSED_KERNELS.lstmSequenceGrad, create: (addon) => backward(addon) },
];
