import { BackendError } from '@dl4ts/core';
import { expect, it } from 'vitest';
import { wasmBackend } from './wasm-backend';

// Its own file (so its own worker): a failed WASM initialisation leaves tfjs-backend-wasm unable to
// retry in the same process.
it('fails activation with a hint when wasmPaths points where there are no binaries', async () => {
  const activation = wasmBackend({ wasmPaths: '/nonexistent-dl4ts-test/' }).activate();
  await expect(activation).rejects.toBeInstanceOf(BackendError);
  await expect(activation).rejects.toThrow(/could not be loaded.*"\/nonexistent-dl4ts-test\/"/);
});
