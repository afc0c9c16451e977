// The artifact tests' fixture: a small tanh network of core's test components with a momentum
// updater (state to resume), data, and a re-signing helper for forged files.
import type { NetworkConfig } from '../network-config';
import { Rng } from '../random';
import type { Registry } from '../registry';
import { testRegistry } from '../test-support';
import { crc32 } from './crc32';
import { encodeSafetensors } from './safetensors';
import type { readSafetensorsData } from './safetensors';

/** A fresh registry holding core's test components (`ts/dense`, `ts/out`, `ts/momentum`, ...). */
export const registry = (): Registry => testRegistry();

export const CONFIG: NetworkConfig = {
  seed: 11,
  input: 3,
  defaults: { updater: { type: 'ts/momentum', lr: 0.05 } },
  layers: [
    { type: 'ts/dense', nOut: 4 },
    { type: 'ts/out', nOut: 2 },
  ],
};

const rng = new Rng(3);
export const X = Array.from({ length: 24 }, () => [rng.uniformRange(-1, 1), rng.uniformRange(-1, 1), rng.uniformRange(-1, 1)]);
export const Y = X.map(([a, b, c]) => [a! * b! - c!, Math.sin(a! + c!)]);

/** A container re-signed with a valid checksum: only the structural checks stand between it and a load. */
export function signed(tensors: Map<string, ReturnType<typeof readSafetensorsData>>, metadata: Record<string, string>): Uint8Array {
  const unsigned = encodeSafetensors(tensors, metadata);
  return encodeSafetensors(tensors, { ...metadata, checksum: `crc32:${crc32(unsigned).toString(16).padStart(8, '0')}` });
}
