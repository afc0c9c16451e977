export type { NativeBackend, NativeBackendOptions, NativeInfo } from './native-backend';
export { defaultNativeThreads, describeNativeInfo, nativeBackend } from './native-backend';
export type { AddonLoad, BlasReport, NativeAddon } from './addon';
export { ADDON_ABI_VERSION, loadAddon } from './addon';
export type { BlasCoreChoice, BlasCoreOption, CpuFeatures } from './blas-core';
export { chooseBlasCore, parseBlasConfig, readCpuFeatures } from './blas-core';
export { NATIVE_KERNELS } from './register';
export { NATIVE_TFJS_NAME } from './kernels/kernel-util';
