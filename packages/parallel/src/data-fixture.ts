// A data module for the tests of data the workers open themselves: a factory of the same
// seeded classification set the tests build on the main thread.
import type { DataSet } from '@dl4ts/core';
import { classification } from './test-support';

export interface ClassificationOptions {
  readonly n: number;
  readonly features: number;
  readonly classes: number;
  readonly seed: number;
}

export function classificationData(options: ClassificationOptions): DataSet {
  return classification(options.n, options.features, options.classes, options.seed);
}

export const DATA_FIXTURE_URL = import.meta.url;
