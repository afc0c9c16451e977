export type { CudaBackendOptions } from './cuda-backend';
export { TFJS_NODE_GPU, cudaBackend } from './cuda-backend';
export type { WebGpuBackend, WebGpuBackendOptions } from './webgpu-backend';
export { TFJS_WEBGPU, webgpuBackend } from './webgpu-backend';
export type { DawnAttempt, DawnModule, GpuAdapterLike, GpuLike } from './webgpu-adapter';
export { DEFAULT_DAWN_ATTEMPTS, MESA_APT_PACKAGES, WEBGPU_NODE_PACKAGE, missingMesaLibraries } from './webgpu-adapter';
