// Shared by this package's WebGPU tests: whether the real WebGPU path can run here. Where CI has
// installed Mesa it sets DL4TS_REQUIRE_WEBGPU=1, and a missing adapter then fails instead of skipping.
import { webgpuBackend } from './webgpu-backend';

const status = await webgpuBackend().availability();

/** True when a WebGPU adapter (real or software) was found. */
export const webgpuAvailable = status.available;

/** Why it was not, for skip messages and the required-here failure. */
export const webgpuUnavailableReason = status.available ? '' : status.reason;

/** CI sets this where the Mesa packages were installed, so that a skip cannot hide a break. */
export const webgpuRequired = process.env.DL4TS_REQUIRE_WEBGPU === '1';

if (!webgpuAvailable && !webgpuRequired) console.warn(`WebGPU tests skipped: ${webgpuUnavailableReason}`);
