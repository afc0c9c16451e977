export type { CudaBackendOptions } from './cuda-backend';
export { TFJS_NODE_GPU, cudaBackend } from './cuda-backend';
