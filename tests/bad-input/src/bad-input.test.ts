import * as tf from '@tensorflow/tfjs-core';
import { cpuBackend } from '@dl4ts/backend-cpu';
import { Dl4tsError, selectBackend } from '@dl4ts/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { componentCases } from './cases/components';
import { dataAndFitCases } from './cases/data-and-fit';
import { ioAndLoaderCases } from './cases/io-and-loaders';
import { networkConfigCases } from './cases/network-config';
import type { BadInputCase } from './support';

const tables: Record<string, BadInputCase[]> = {
  'network configs': networkConfigCases,
  'data, fit, output and parameters': dataAndFitCases,
  'files, normalisers and loaders': ioAndLoaderCases,
  'components and the parallel trainer': componentCases,
};

beforeAll(async () => {
  await selectBackend('cpu', [cpuBackend()]);
});

/** The error `run` throws or rejects with, or undefined. */
async function outcome(run: () => unknown): Promise<unknown> {
  try {
    await run();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('the bad-input suite', () => {
  it('holds at least 150 cases, with no name twice', () => {
    // Warning cases count apart: the 150 are errors and documented valid inputs.
    const names = Object.values(tables).flatMap((cases) => cases.map((c) => c.name));
    expect(Object.values(tables).flat().filter((c) => !('warns' in c)).length).toBeGreaterThanOrEqual(150);
    expect(new Set(names).size).toBe(names.length);
  });

  for (const [table, cases] of Object.entries(tables)) {
    describe(table, () => {
      for (const c of cases) {
        it(c.name, async () => {
          const before = tf.memory().numTensors;
          const warnings: string[] = [];
          const error = await outcome(() => c.run((message) => warnings.push(message)));
          if ('valid' in c) {
            expect(error).toBeUndefined();
          } else if ('warns' in c) {
            expect(error).toBeUndefined();
            expect(warnings.join('\n')).toMatch(c.warns);
          } else {
            // A typed error of the expected class, naming the value received.
            expect(error, `no error; expected ${c.error.name} naming ${c.received}`).toBeInstanceOf(c.error);
            expect(error).toBeInstanceOf(Dl4tsError);
            const message = (error as Error).message;
            expect(message).toContain(c.received);
            if (c.message !== undefined) expect(message).toMatch(c.message);
          }
          expect(tf.memory().numTensors, 'tensors left behind').toBe(before);
        });
      }
    });
  }
});
