import { registerDenseGradient } from './fused-dense';

let registration: Promise<void> | undefined;

/**
 * Registers tfjs-core's gradient functions with the shared tfjs engine, once.
 *
 * tfjs-core's Node entry ships no gradients, and the usual deep import fails under Node's ESM
 * loader; core bundles tfjs-core's own gradient definitions at build time instead (no
 * tfjs-layers), and adds the gradients of dl4ts's own fused kernels (`FUSED_KERNELS.dense`).
 * Backend activation calls this; call it yourself only if you activate a tfjs backend without dl4ts.
 */
export function registerGradients(): Promise<void> {
  registration ??= import('../gen/tfjs-gradients.js').then(() => registerDenseGradient());
  return registration;
}
