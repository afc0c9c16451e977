import { describe, expectTypeOf, it } from 'vitest';
import type { BatchSource } from '../data-set';
import type { DataSet } from '../data-set';
import type { LoadedModel } from '../io/model-artifact';
import type { Normalizer } from './normalizer';
import type { StreamingSource } from './streaming-source';

// Compiled with exactOptionalPropertyTypes (core's tsconfig), as a strict consumer's project is:
// a property that may hold undefined must say so where it is optional.
describe('types under exactOptionalPropertyTypes', () => {
  it('a StreamingSource and a DataSet are BatchSources; a loaded model may lack a normaliser', () => {
    expectTypeOf<StreamingSource>().toMatchTypeOf<BatchSource>();
    expectTypeOf<DataSet>().toMatchTypeOf<BatchSource>();
    expectTypeOf<{ size: number | undefined; batches: BatchSource['batches'] }>().toMatchTypeOf<BatchSource>();
    expectTypeOf<LoadedModel['normalizer']>().toEqualTypeOf<Normalizer | undefined>();
  });
});
