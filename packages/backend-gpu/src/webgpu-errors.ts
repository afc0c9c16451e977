import { BackendError } from '@dl4ts/core';

/** The parts of tfjs's WebGPUBackend and of a GPUDevice read here. */
interface WatchedBackend {
  read(dataId: object): Promise<unknown>;
  readonly device: {
    readonly limits: { readonly maxStorageBufferBindingSize: number };
    addEventListener(type: 'uncapturederror', listener: (event: { error?: { message?: string } }) => void): void;
  };
}

/**
 * WebGPU reports a failed command (a tensor larger than the device can bind, for instance) as an
 * "uncaptured error" event, and tfjs ignores those: the op's result is silently wrong (zeros). This
 * makes the next asynchronous read of a tensor throw a BackendError naming the first error, so that
 * training or evaluation stops instead of going on with garbage. Returns the backend itself.
 */
export function throwOnDeviceErrors<B extends object>(backend: B): B {
  // Cast: tfjs-backend-webgpu does not export the type of its device and read members.
  const watched = backend as unknown as WatchedBackend;
  const errors: string[] = [];
  watched.device.addEventListener('uncapturederror', (event) => {
    errors.push((event.error?.message ?? 'unknown error').split('\n')[0]!.trim());
  });
  const read = watched.read.bind(watched);
  watched.read = async (dataId) => {
    const values = await read(dataId);
    if (errors.length > 0) {
      const [first] = errors;
      const count = errors.length;
      errors.length = 0;
      const limit = watched.device.limits.maxStorageBufferBindingSize;
      throw new BackendError(
        `WebGPU reported ${count} device error${count === 1 ? '' : 's'} since the last read, so results computed since then are wrong. ` +
          `First: ${first}. A tensor larger than the device's maxStorageBufferBindingSize (${limit} bytes here) cannot be used by a shader: ` +
          'keep large data on the host and move smaller slices to WebGPU',
      );
    }
    return values;
  };
  return backend;
}
