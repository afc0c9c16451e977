// The native module's enumerations, one list per C++ enum in the enum's order: an entry's index is
// its code. This is the TypeScript side's only copy; op-codes.test.ts parses native/*.cc and
// native/vmath.h and fails when a list differs from its enum.

/** Each enum: where it is declared, its C++ name, and its enumerators without the `k` prefix. */
export const NATIVE_ENUMS = {
  unary: {
    file: 'unary.cc',
    name: 'Op',
    values: ['Abs', 'Neg', 'Square', 'Sqrt', 'Rsqrt', 'Reciprocal', 'Exp', 'Expm1', 'Log', 'Log1p', 'Relu', 'Relu6', 'Elu', 'Selu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Softplus', 'Step', 'Floor', 'Ceil', 'Sin', 'Cos', 'Clip', 'Erf'],
  },
  binary: {
    file: 'binary.cc',
    name: 'Op',
    values: ['Add', 'Sub', 'Mul', 'Div', 'Maximum', 'Minimum', 'SquaredDifference', 'Pow', 'Greater', 'GreaterEqual', 'Less', 'LessEqual', 'Equal', 'NotEqual'],
  },
  reduce: { file: 'reduce.cc', name: 'Op', values: ['Sum', 'Mean', 'Max', 'Min', 'Prod'] },
  updaterRule: { file: 'updaters.cc', name: 'Rule', values: ['Nesterovs', 'Adam', 'AdaMax', 'Nadam', 'AmsGrad', 'AdaGrad', 'RmsProp', 'AdaDelta', 'ScaledAdd', 'Sgd'] },
  biasMode: { file: 'gemm.cc', name: 'BiasMode', values: ['NoBias', 'ScalarBias', 'ColumnBias', 'MatrixBias', 'FullBias'] },
  activation: { file: 'vmath.h', name: 'Activation', values: ['Linear', 'Relu', 'Relu6', 'Elu', 'LeakyRelu', 'Sigmoid', 'Tanh'] },
} as const;

type Enums = typeof NATIVE_ENUMS;

/** The native code of one enumerator: `nativeCode('unary', 'Abs')` is 0. */
export function nativeCode<E extends keyof Enums>(enumeration: E, value: Enums[E]['values'][number]): number {
  return (NATIVE_ENUMS[enumeration].values as readonly string[]).indexOf(value);
}

/**
 * State tensors each updater rule reads and rewrites, by rule (the C++ `kStates[]`, in the
 * `Rule` enum's order; the test checks it too).
 */
export const UPDATER_RULE_STATES: Readonly<Record<Enums['updaterRule']['values'][number], number>> = {
  Nesterovs: 1,
  Adam: 2,
  AdaMax: 2,
  Nadam: 2,
  AmsGrad: 3,
  AdaGrad: 1,
  RmsProp: 1,
  AdaDelta: 2,
  ScaledAdd: 1,
  Sgd: 0,
};
