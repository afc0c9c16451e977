import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { selectBackend } from '@dl4ts/core';
import { cpuBackend } from '@dl4ts/backend-cpu';
import { wasmBackend } from '@dl4ts/backend-wasm';

// The root README's Quick start is this folder's quick-start.ts, character for character, and it
// runs as it stands: data defined, labels one-hot, every tensor it makes disposed.
describe('the README Quick start', () => {
  it('is quick-start.ts verbatim', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Quick start'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(readFileSync(new URL('./quick-start.ts', import.meta.url), 'utf8'));
  });

  it('trains to over 90% accuracy and leaves no tensor behind', async () => {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
    // The backend it will choose, active already, so that the tensors before can be counted.
    await selectBackend(['wasm', 'cpu'], [wasmBackend(), cpuBackend()]);
    const before = tf.memory().numTensors;
    try {
      await import('./quick-start');
    } finally {
      log.mockRestore();
    }
    const accuracy = Number(/accuracy ([\d.]+)$/.exec(lines.at(-1) ?? '')?.[1]);
    expect(accuracy).toBeGreaterThan(0.9);
    expect(lines[0]).toContain('layers/dense');
    expect(tf.memory().numTensors).toBe(before);
  });
});
