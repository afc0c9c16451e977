import type { ComponentDefinition } from '../../registry';
import { l2NormalizeVertex, l2Vertex, scaleVertex, shiftVertex } from './arithmetic';
import { elementwiseVertex, mergeVertex, stackVertex, unstackVertex } from './combine';
import { reshapeVertex, subsetVertex } from './reshape';
import { duplicateToTimeSeriesVertex, lastTimeStepVertex, reverseTimeSeriesVertex } from './time-series';

export type { ElementwiseOp } from './combine';

/** Core's graph vertices, DL4J's set; every registry holds them. */
export const VERTEX_DEFINITIONS: readonly ComponentDefinition[] = [
  mergeVertex,
  elementwiseVertex,
  subsetVertex,
  stackVertex,
  unstackVertex,
  scaleVertex,
  shiftVertex,
  l2Vertex,
  l2NormalizeVertex,
  reshapeVertex,
  lastTimeStepVertex,
  duplicateToTimeSeriesVertex,
  reverseTimeSeriesVertex,
];
