/**
 * Accepted difference between a backend and the reference, element by element:
 * `|actual - expected| <= atol * max(1, max|expected|) + rtol * |expected|`. The defaults allow for
 * float32 kernels that differ in summation order and in their exp/log/tanh approximations (WebGPU
 * shaders, WebAssembly SIMD); the largest differences measured on wasm and WebGPU (software) are in
 * the package README, an order of magnitude below these.
 */
export interface ConformanceTolerance {
  readonly forward: { readonly atol: number; readonly rtol: number };
  readonly gradient: { readonly atol: number; readonly rtol: number };
}

/** The outcome for one component. */
export interface ConformanceResult {
  readonly kind: 'activation' | 'loss' | 'layer' | 'vertex' | 'save-load';
  /** Registry key or case name. */
  readonly name: string;
  readonly ok: boolean;
  /** Largest `|actual - expected|` of the outputs (predictions, for save/load). */
  readonly forwardError: number;
  /** Largest `|actual - expected|` over all gradients; 0 for save/load. */
  readonly gradientError: number;
  /** What failed, for the report. */
  readonly detail?: string;
}
