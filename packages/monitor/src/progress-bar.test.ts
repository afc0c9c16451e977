import { Writable } from 'node:stream';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@dl4ts/core';
import type { Batch, BatchSource, FitStartInfo, IterationInfo, Network } from '@dl4ts/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProgressBarListener } from './progress-bar';
import type { ProgressStream } from './progress-bar';
import { blobs, makeClassifier, recorder } from './test-support';

/** A captured stream; a terminal 100 columns wide when `tty`. */
function capture(tty: boolean): { stream: ProgressStream; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  if (tty) Object.assign(stream, { isTTY: true, columns: 100 });
  return { stream, text: () => chunks.join('') };
}

/** The drawn lines: text between cursor/erase escape sequences and newlines. */
// eslint-disable-next-line no-control-regex -- ANSI escape sequences are exactly what is split on
const drawn = (raw: string) => raw.split(/\x1B\[[0-9;?]*[A-Za-z]|\x1B[78]|\n/).filter((s) => s.startsWith('epoch '));

const field = (line: string, pattern: RegExp) => Number(pattern.exec(line)?.[1]);

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('ProgressBarListener', () => {
  it('draws epoch, batch, the loss read by fit and the epoch mean on a terminal; tensors stay flat', async () => {
    vi.stubEnv('CI', undefined);
    const net = makeClassifier();
    const data = blobs(20, 1); // 60 examples, batch 8: 8 batches per epoch
    const out = capture(true);
    const witness = recorder(5);
    const before = tf.memory().numTensors;
    const result = await net.fit(data, { epochs: 3, batchSize: 8, listeners: [new ProgressBarListener({ stream: out.stream, scoreEvery: 5 }), witness] });
    const lines = drawn(out.text());
    const last = lines.at(-1) as string;
    expect(last).toMatch(/^epoch 3\/3 .* 100% \| batch 8\/8 \| loss \S+ \| mean \S+ \| [\d.]+ samples\/s \| ETA 0s$/);
    // The witness read the same iterations (1, 6, 11, 16, 21); the bar shows the last one.
    expect(witness.recording.reads.map((r) => r.iteration)).toEqual([1, 6, 11, 16, 21]);
    const lastRead = witness.recording.reads.at(-1)?.score as number;
    expect(Math.abs(field(last, /loss (\S+)/) - lastRead)).toBeLessThanOrEqual(1e-4 * Math.abs(lastRead));
    const mean = result.meanScores[2] as number;
    expect(Math.abs(field(last, /mean (\S+)/) - mean)).toBeLessThanOrEqual(1e-4 * Math.abs(mean));
    expect(field(last, /([\d.]+) samples\/s/)).toBeGreaterThan(0);
    expect(lines.some((l) => l.startsWith('epoch 1/3'))).toBe(true);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100); // fits the terminal
    expect(out.text().endsWith('\n')).toBe(true); // the bar was stopped, releasing the line
    expect(witness.recording.tensorsAtEpochEnd).toEqual([before, before, before]);
    expect(tf.memory().numTensors).toBe(before);
    data.dispose();
    net.dispose();
  });

  it('writes nothing on a non-terminal stream or when CI is set', async () => {
    vi.stubEnv('CI', undefined);
    const net = makeClassifier();
    const data = blobs(10, 2);
    const pipe = capture(false);
    await net.fit(data, { epochs: 2, batchSize: 8, listeners: [new ProgressBarListener({ stream: pipe.stream })] });
    expect(pipe.text()).toBe('');
    vi.stubEnv('CI', 'true');
    const ciTerminal = capture(true);
    await net.fit(data, { epochs: 2, batchSize: 8, listeners: [new ProgressBarListener({ stream: ciTerminal.stream })] });
    expect(ciTerminal.text()).toBe('');
    data.dispose();
    net.dispose();
  });

  it('reads no score while quiet, and treats CI "", "0" and "false" as unset', async () => {
    const start = { network: {} as Network, epochs: 1, batchSize: 1, startEpoch: 0, startIteration: 0, examplesPerEpoch: 1, batchesPerEpoch: 1 } satisfies FitStartInfo;
    let reads = 0;
    const iteration: IterationInfo = { network: {} as Network, epoch: 0, iteration: 1, batchInEpoch: 1, examples: 1, score: () => Promise.resolve(++reads), stop: () => undefined };
    const cases: [string | undefined, boolean, boolean][] = [
      ['true', true, false],
      ['1', true, false],
      ['', true, true],
      ['0', true, true],
      ['false', true, true],
      [undefined, false, false],
    ];
    for (const [ci, tty, draws] of cases) {
      vi.stubEnv('CI', ci);
      const out = capture(tty);
      const bar = new ProgressBarListener({ stream: out.stream });
      expect(bar.active).toBe(draws);
      reads = 0;
      bar.onFitStart(start);
      await bar.onIterationEnd(iteration);
      bar.onFitEnd({ network: {} as Network, epoch: 1, iteration: 1, stopReason: undefined });
      expect([ci, tty, out.text().length > 0, reads]).toEqual([ci, tty, draws, draws ? 1 : 0]);
    }
  });

  it('with force, writes plain lines to a non-terminal even in CI', async () => {
    vi.stubEnv('CI', 'true');
    const net = makeClassifier();
    const data = blobs(10, 3);
    const pipe = capture(false);
    await net.fit(data, { epochs: 2, batchSize: 8, listeners: [new ProgressBarListener({ stream: pipe.stream, force: true })] });
    const text = pipe.text();
    expect(text).not.toContain('\x1B');
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/^epoch 2\/2 .* 100% \| batch 4\/4 \| loss \S+ \| mean \S+/);
    data.dispose();
    net.dispose();
  });

  it('counts batches without a total when the source does not know its size, and shows a stop', async () => {
    vi.stubEnv('CI', undefined);
    const net = makeClassifier();
    const data = blobs(10, 4);
    const unsized: BatchSource = { batches: (batchSize) => data.batches(batchSize) as Iterable<Batch> };
    const out = capture(true);
    const stopper = { onIterationEnd: (i: IterationInfo) => (i.iteration === 6 ? i.stop('enough') : undefined) };
    await net.fit(unsized, { epochs: 3, batchSize: 8, listeners: [new ProgressBarListener({ stream: out.stream }), stopper] });
    const last = drawn(out.text()).at(-1) as string;
    expect(last).toMatch(/^epoch 2\/3 \| batch 2 \| loss \S+ \| mean \S+ \| [\d.]+ samples\/s \| \S+ \| stopped: enough$/);
    data.dispose();
    net.dispose();
  });

  it('rejects a scoreEvery that is not a positive integer', () => {
    expect(() => new ProgressBarListener({ scoreEvery: 0 })).toThrow(ConfigError);
    expect(() => new ProgressBarListener({ scoreEvery: 2.5 })).toThrow('ProgressBarListener: scoreEvery must be a positive integer, received 2.5');
  });
});
