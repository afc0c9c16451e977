// The whole update pipeline of one parameter in one native pass (core's FUSED_KERNELS.applyUpdate):
// penalty gradients, the updater's rule, decoupled weight decay and w - update, so a training
// step allocates the new parameter and state instead of five intermediate arrays per parameter;
// and the sum of squares of the L2 penalty's score (FUSED_KERNELS.sumSquares) without its square.
import { FUSED_KERNELS, fusedKernelAttrs } from '@dl4ts/core';
import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon';
import { RULES } from './fused-updater';
import { type KernelArgs, type NativeKernel, type NativeKernelFunc, allocateFloat32, float32Of, output } from './kernel-util';

function fail(kernel: string, message: string): never {
  throw new Error(`@dl4ts/backend-native ${kernel}: ${message}`);
}

function applyUpdate(addon: NativeAddon): NativeKernelFunc {
  const kernel = FUSED_KERNELS.applyUpdate;
  return (args) => {
    const { rule, constants, l1, l2, decay } = fusedKernelAttrs(FUSED_KERNELS.applyUpdate, args.attrs);
    const known = RULES[rule] ?? fail(kernel, `unknown rule "${rule}"; expected one of ${Object.keys(RULES).join(', ')}`);
    const [code, count] = known;
    const w = args.inputs.w as tf.TensorInfo;
    const g = args.inputs.g as tf.TensorInfo;
    const wv = float32Of(args.backend, w) ?? fail(kernel, `the parameter must be float32, received ${w.dtype}`);
    const gv = float32Of(args.backend, g);
    if (gv === undefined || gv.length !== wv.length) fail(kernel, `the gradient must be float32 of the parameter's size ${wv.length}`);
    const states: Float32Array[] = [];
    for (let i = 0; i < count; i++) {
      const s = args.inputs[`s${i}`] as tf.TensorInfo | undefined;
      const values = s === undefined ? undefined : float32Of(args.backend, s);
      if (values === undefined || values.length !== wv.length) fail(kernel, `rule "${rule}" takes ${count} float32 state tensors of the parameter's size; s${i} is missing or wrong`);
      states.push(values);
    }
    const stateInfos = Array.from({ length: count }, (_, i) => args.inputs[`s${i}`] as tf.TensorInfo);
    if (updatableInPlace(args.backend, w, g, stateInfos)) {
      // Nothing else holds the parameter's or the states' storage: rewrite it, and hand the same
      // storage back as the outputs (as Reshape and Identity do), so a step allocates nothing here.
      addon.applyUpdate(code, wv, gv, states, wv, states, Float64Array.from(constants), l1, l2, decay);
      return [w, ...stateInfos].map((t) => {
        args.backend.incRef(t.dataId);
        return { dataId: t.dataId, shape: t.shape.slice(), dtype: 'float32' as const };
      });
    }
    const nextW = allocateFloat32(wv.length);
    const nextStates = states.map(() => allocateFloat32(wv.length));
    addon.applyUpdate(code, wv, gv, states, nextW, nextStates, Float64Array.from(constants), l1, l2, decay);
    return [nextW, ...nextStates].map((values) => output(args.backend, w.shape.slice(), 'float32', values));
  };
}

/**
 * Whether the update may rewrite w and its states where they lie: each is held by one tensor only
 * (a parameter's variable, an updater's state; a clone, a reshape or a tensor a user kept would
 * share the storage and raise its count), and no two of w, g and the states share storage.
 */
function updatableInPlace(backend: KernelArgs['backend'], w: tf.TensorInfo, g: tf.TensorInfo, states: readonly tf.TensorInfo[]): boolean {
  const ids = new Set<object>([g.dataId]);
  for (const t of [w, ...states]) {
    if (backend.refCount(t.dataId) !== 1 || ids.has(t.dataId)) return false;
    ids.add(t.dataId);
  }
  return true;
}

function sumSquares(addon: NativeAddon): NativeKernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const values = float32Of(args.backend, x) ?? fail(FUSED_KERNELS.sumSquares, `x must be float32, received ${x.dtype}`);
    return output(args.backend, [], 'float32', Float32Array.of(addon.sumSquares(values)));
  };
}

function countNonFinite(addon: NativeAddon): NativeKernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const values = float32Of(args.backend, x) ?? fail(FUSED_KERNELS.countNonFinite, `x must be float32, received ${x.dtype}`);
    return output(args.backend, [], 'int32', Int32Array.of(addon.countNonFinite(values)));
  };
}

export const fusedApplyKernels: NativeKernel[] = [
  { kernelName: FUSED_KERNELS.applyUpdate, create: (addon) => applyUpdate(addon) },
  { kernelName: FUSED_KERNELS.sumSquares, create: (addon) => sumSquares(addon) },
  { kernelName: FUSED_KERNELS.countNonFinite, create: (addon) => countNonFinite(addon) },
];

/** d/dx sum(x^2) = 2x, registered once with the kernel (gradients are backend-neutral in tfjs). */
export function registerSumSquaresGradient(): void {
  if (tf.getGradient(FUSED_KERNELS.sumSquares) !== undefined) return;
  tf.registerGradient({
    kernelName: FUSED_KERNELS.sumSquares,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved as tf.Tensor[];
      return { x: () => tf.mul(dy as tf.Tensor, tf.mul(x as tf.Tensor, 2)) };
    },
  });
}
