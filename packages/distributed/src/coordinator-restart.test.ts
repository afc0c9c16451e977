import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalWorkers, type LocalWorker } from './local-workers';
import { PACKAGE_DIR } from './test-support';
import { redisServerMissing, startRedisServer, type LocalRedisServer } from './testing';

const missing = redisServerMissing();
const COORDINATOR = fileURLToPath(new URL('./fixtures/coordinator.mjs', import.meta.url));
const EPOCHS = 4;

/** Runs the coordinator fixture as a process of its own. */
function coordinator(url: string, run: string, directory: string, output: string) {
  const child = spawn(process.execPath, [COORDINATOR, url, run, directory, String(EPOCHS), output], { cwd: PACKAGE_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => text };
}

const checkpoints = (directory: string) => (existsSync(directory) ? readdirSync(directory).filter((n) => n.endsWith('.safetensors')) : []);

describe.skipIf(missing !== undefined)(`a coordinator killed and restarted from its checkpoint${missing === undefined ? '' : ` (skipped: ${missing})`}`, () => {
  let redis: LocalRedisServer;
  const work = mkdtempSync(join(tmpdir(), 'dl4ts-coordinator-'));
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('finishes with the same parameters and updater state as an uninterrupted run; the workers reattach without restarting', async () => {
    const run = async (name: string, interrupt: boolean): Promise<{ state: Buffer; workers: LocalWorker[]; logs: string[] }> => {
      const directory = join(work, name);
      const output = join(work, `${name}.bin`);
      const workers = startLocalWorkers({ url: redis.url, run: name, workers: 2, leaseMs: 900, cwd: PACKAGE_DIR });
      const logs: string[] = [];
      if (interrupt) {
        const first = coordinator(redis.url, name, directory, output);
        // Killed in the middle of the run: once the first epoch's checkpoint is on disk.
        const deadline = Date.now() + 60_000;
        while (checkpoints(directory).length === 0 && first.child.exitCode === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
        first.child.kill('SIGKILL');
        await first.exited;
        logs.push(first.output());
        expect(first.output()).not.toMatch(/done at epoch/);
      }
      const second = coordinator(redis.url, name, directory, output);
      const code = await second.exited;
      logs.push(second.output());
      expect(code, logs.join('\n')).toBe(0);
      if (interrupt) expect(second.output()).toMatch(/starting at epoch [1-3] from/);
      expect(second.output()).toMatch(`done at epoch ${EPOCHS}`);
      const codes = await Promise.all(workers.map((w) => w.exited));
      expect(codes, workers.map((w) => w.output()).join('\n')).toEqual([0, 0]);
      return { state: readFileSync(output), workers, logs };
    };
    const uninterrupted = await run('straight', false);
    const restarted = await run('restarted', true);
    expect(restarted.state.equals(uninterrupted.state)).toBe(true);
    for (const worker of restarted.workers) expect(worker.output()).toMatch(/reattaching/);
  });
});
