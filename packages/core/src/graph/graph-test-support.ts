// Graphs of the test layers (network-test-support.ts) for the graph's tests: linear layers with a
// ramp initialiser and plain SGD, so values have closed forms.
import type { GraphConfig, GraphVertexConfig } from './graph-config';

/** `{ name, type: 'test/linear', nOut, inputs }`. */
export function linear(name: string, nOut: number, inputs: string[], extra: Record<string, unknown> = {}): GraphVertexConfig {
  return { name, type: 'test/linear', nOut, inputs, ...extra } as GraphVertexConfig;
}

/** `{ name, type: 'test/linear-out', nOut, inputs }`: a linear output layer scored by half the squared error. */
export function linearOut(name: string, nOut: number, inputs: string[]): GraphVertexConfig {
  return { name, type: 'test/linear-out', nOut, inputs } as GraphVertexConfig;
}

/** A graph config with the test SGD updater as its default. */
export function graphConfig(parts: Pick<GraphConfig, 'inputs' | 'vertices' | 'outputs'> & Partial<GraphConfig>): GraphConfig {
  return { seed: 7, defaults: { updater: { type: 'test/sgd', lr: 0.1 } }, ...parts };
}
