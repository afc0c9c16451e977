import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The example manifest cannot run without a cluster; what it must agree on with the worker command
// is checked here: the variables dl4ts-worker reads and the Indexed Job that sets its index.
const manifest = readFileSync(new URL('../k8s/training-job.yaml', import.meta.url), 'utf8');
const cli = readFileSync(new URL('./cli/worker.ts', import.meta.url), 'utf8');
const documents = manifest.split(/^---$/m);

describe('k8s/training-job.yaml', () => {
  it('runs the workers as an Indexed Job of dl4ts-worker, whose index comes from JOB_COMPLETION_INDEX', () => {
    const workers = documents.find((d) => /name: mnist-workers/.test(d)) as string;
    expect(workers).toMatch(/completionMode: Indexed/);
    expect(workers).toMatch(/command: \["npx", "dl4ts-worker"\]/);
    const completions = Number(/completions: (\d+)/.exec(workers)?.[1]);
    expect(Number(/parallelism: (\d+)/.exec(workers)?.[1])).toBe(completions);
    expect(cli).toMatch(/process\.env\.JOB_COMPLETION_INDEX/);
  });

  it('gives coordinator and workers the same run name and the Redis URL from a secret, in the variables the command reads', () => {
    for (const name of ['DL4TS_RUN', 'DL4TS_REDIS_URL']) expect(cli).toMatch(`process.env.${name}`);
    const runs = [...manifest.matchAll(/- name: DL4TS_RUN\n\s+value: (\S+)/g)].map((m) => m[1]);
    expect(runs).toEqual(['mnist-1', 'mnist-1']);
    expect([...manifest.matchAll(/- name: DL4TS_REDIS_URL\n\s+valueFrom:\n\s+secretKeyRef: \{ name: dl4ts-redis, key: url \}/g)]).toHaveLength(2);
    expect(manifest).not.toMatch(/redis:\/\/:[^P@]/); // no password written into the manifest
  });
});
