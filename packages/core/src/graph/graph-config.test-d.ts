import { describe, expectTypeOf, it } from 'vitest';
import type { GraphConfig, GraphVertexConfig } from './graph-config';

// A plugin's vertex config type joins core's map by declaration merging, as layers' do.
declare module '../registry' {
  interface VertexConfigMap {
    'my-plugin/gate': { threshold: number };
  }
  interface LayerConfigMap {
    'my-plugin/graph-dense': { nOut: number };
  }
}

describe('graph config types', () => {
  it('accepts layers and vertices, each with a name and inputs', () => {
    const config: GraphConfig = {
      inputs: { x: 4 },
      vertices: [
        { name: 'h', type: 'my-plugin/graph-dense', nOut: 3, inputs: ['x'] },
        { name: 'g', type: 'my-plugin/gate', threshold: 0.5, inputs: ['h'] },
        { name: 's', type: 'core/elementwise', op: 'add', inputs: ['h', 'g'] },
      ],
      outputs: ['s'],
    };
    expectTypeOf(config.vertices[0]).toMatchTypeOf<GraphVertexConfig | undefined>();
  });

  it('rejects wrong vertex options and vertices without inputs', () => {
    // @ts-expect-error threshold must be a number
    const wrongType: GraphVertexConfig = { name: 'g', type: 'my-plugin/gate', threshold: 'high', inputs: ['x'] };
    // @ts-expect-error op is one of add, subtract, product, average, max
    const wrongOp: GraphVertexConfig = { name: 's', type: 'core/elementwise', op: 'divide', inputs: ['a', 'b'] };
    // @ts-expect-error every vertex names its inputs
    const noInputs: GraphVertexConfig = { name: 'g', type: 'my-plugin/gate', threshold: 1 };
    void [wrongType, wrongOp, noInputs];
  });
});
