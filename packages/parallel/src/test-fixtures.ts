// A plugin for the failure tests: an identity activation that makes one worker throw or exit at
// its N-th training step. Loaded in the workers through the `plugins` option.
import type { Activation, ComponentDefinition, Plugin, ResolvedConfig } from '@dl4ts/core';
import { ACTIVATION_CONTRACT_VERSION } from '@dl4ts/core';

declare module '@dl4ts/core' {
  interface ActivationConfigMap {
    'test-fault/fail-at': { step: number; worker: number; mode: 'throw' | 'exit' };
  }
}

/** The worker index this thread was started with (`nodeWorkers` passes it as workerData). */
async function workerIndex(): Promise<number | undefined> {
  const { isMainThread, workerData } = await import('node:worker_threads');
  return isMainThread ? undefined : (workerData as { index: number }).index;
}
const index = await workerIndex();

const failAt: ComponentDefinition<'activation', Activation, ResolvedConfig & { step: number; worker: number; mode: 'throw' | 'exit' }> = {
  kind: 'activation',
  key: 'test-fault/fail-at',
  contractVersion: ACTIVATION_CONTRACT_VERSION,
  provider: 'parallel-test-fixtures',
  create: (config) => {
    const { step, worker, mode } = config;
    let steps = 0;
    return {
      key: 'test-fault/fail-at',
      config,
      apply(x, context) {
        if (context.training && index === worker && ++steps === step) {
          if (mode === 'exit') process.exit(7);
          throw new Error(`injected failure at step ${step}`);
        }
        return x;
      },
    };
  },
};

export const faultPlugin: Plugin = { name: 'parallel-test-fixtures', definitions: [failAt] };

/** The fixture as a plugin spec for the workers. */
export const FAULT_PLUGIN_URL = import.meta.url;
