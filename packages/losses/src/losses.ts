import type { ComponentDefinition, Loss } from '@dl4ts/core';
import { cosineProximityDefinition } from './cosine-proximity';
import { crossEntropyLosses } from './cross-entropy';
import { klDivergenceLosses } from './kl-divergence';
import { marginLosses } from './margin-losses';
import { regressionLosses } from './regression-losses';

/** Every loss of this package, DL4J's names; each returns one score per example. */
export const lossDefinitions: readonly ComponentDefinition<'loss', Loss>[] = [
  ...crossEntropyLosses,
  ...klDivergenceLosses,
  ...regressionLosses,
  ...marginLosses,
  cosineProximityDefinition,
];
