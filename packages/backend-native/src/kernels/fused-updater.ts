// dl4ts's fused kernels for the update pipeline (the contract is core's FUSED_KERNELS): one
// native pass per parameter for an updater's rule, and for `a + alpha b` (penalty gradients).
import { FUSED_KERNELS, formatValue, fusedKernelAttrs } from '@dl4ts/core';
import type { FusedUpdaterRuleName } from '@dl4ts/core';
import type * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon';
import { type NativeKernel, type NativeKernelFunc, float32Of, output, allocateFloat32 } from './kernel-util';
import { NATIVE_ENUMS, UPDATER_RULE_STATES, nativeCode } from './op-codes';

/** Core's rule names (`FusedUpdaterRule.rule`) -> the `Rule` enumerator of native/updaters.cc. */
const RULE_NAMES: Readonly<Record<FusedUpdaterRuleName, (typeof NATIVE_ENUMS)['updaterRule']['values'][number]>> = {
  sgd: 'Sgd',
  nesterovs: 'Nesterovs',
  adam: 'Adam',
  adamax: 'AdaMax',
  nadam: 'Nadam',
  amsgrad: 'AmsGrad',
  adagrad: 'AdaGrad',
  rmsprop: 'RmsProp',
  adadelta: 'AdaDelta',
};

/** Rule name -> [code of native/updaters.cc, number of state tensors]. */
export const RULES: Record<string, [number, number]> = Object.fromEntries(
  Object.entries(RULE_NAMES).map(([rule, native]) => [rule, [nativeCode('updaterRule', native), UPDATER_RULE_STATES[native]]]),
);
const SCALED_ADD = nativeCode('updaterRule', 'ScaledAdd');

function fail(message: string): never {
  throw new Error(`@dl4ts/backend-native ${FUSED_KERNELS.updaterStep}: ${message}`);
}

function updaterStep(addon: NativeAddon): NativeKernelFunc {
  return (args) => {
    const { rule, constants } = fusedKernelAttrs(FUSED_KERNELS.updaterStep, args.attrs);
    const known = RULES[rule];
    if (known === undefined) fail(`unknown rule "${rule}"; expected one of ${Object.keys(RULES).join(', ')}`);
    const [code, count] = known;
    const g = args.inputs.g as tf.TensorInfo;
    const gv = float32Of(args.backend, g) ?? fail(`the gradient must be float32, received ${g.dtype}`);
    const states: Float32Array[] = [];
    for (let i = 0; i < count; i++) {
      const s = args.inputs[`s${i}`] as tf.TensorInfo | undefined;
      if (s === undefined) fail(`rule "${rule}" takes ${count} state tensors, s${i} is missing`);
      const values = float32Of(args.backend, s);
      if (values === undefined || values.length !== gv.length) fail(`state s${i} must be float32 of the gradient's size ${gv.length}`);
      states.push(values);
    }
    const outs = Array.from({ length: count + 1 }, () => allocateFloat32(gv.length));
    addon.updater(code, gv, states, outs, Float64Array.from(constants));
    return outs.map((values) => output(args.backend, g.shape.slice(), 'float32', values));
  };
}

function scaledAdd(addon: NativeAddon): NativeKernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { alpha } = fusedKernelAttrs(FUSED_KERNELS.scaledAdd, args.attrs);
    const av = float32Of(args.backend, a);
    const bv = float32Of(args.backend, b);
    if (av === undefined || bv === undefined || av.length !== bv.length) {
      throw new Error(`@dl4ts/backend-native ${FUSED_KERNELS.scaledAdd}: a and b must be float32 of one size, received ${formatValue(a.dtype)} [${a.shape.join(', ')}] and ${b.dtype} [${b.shape.join(', ')}]`);
    }
    const out = allocateFloat32(av.length);
    addon.updater(SCALED_ADD, av, [bv], [out], Float64Array.of(alpha));
    return output(args.backend, a.shape.slice(), 'float32', out);
  };
}

export const fusedUpdaterKernels: NativeKernel[] = [
  { kernelName: FUSED_KERNELS.updaterStep, create: (addon) => updaterStep(addon) },
  { kernelName: FUSED_KERNELS.scaledAdd, create: (addon) => scaledAdd(addon) },
];
