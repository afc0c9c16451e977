export type { NativeBackend, NativeBackendOptions } from './native-backend';
export { defaultNativeThreads, nativeBackend } from './native-backend';
export type { AddonLoad, NativeAddon } from './addon';
export { ADDON_ABI_VERSION, loadAddon } from './addon';
export { NATIVE_KERNELS } from './register';
export { NATIVE_TFJS_NAME } from './kernels/kernel-util';
