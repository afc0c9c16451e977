import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Network } from '../network';
import { testRegistry } from '../test-support';
import { CheckpointListener } from './checkpoint-listener';
import { loadModel, saveModel } from './model-files';
import { STALE_TEMP_AGE_MS, sweepStaleTemps, tempPathFor } from './temp-files';

const registry = testRegistry();
const makeNet = () => new Network({ seed: 4, input: 2, defaults: { updater: { type: 'ts/sgd', lr: 0.2 } }, layers: [{ type: 'ts/dense', nOut: 3 }, { type: 'ts/out', nOut: 1 }] }, { registry }).init();

/** The id of a process that has exited (and was reaped), as a killed writer's would be. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dl4ts-temps-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const temps = async () => (await readdir(dir)).filter((f) => f.endsWith('.tmp')).sort();

describe('temporary files of interrupted saves', () => {
  it('names temporary files after the target and this process', () => {
    expect(tempPathFor(join(dir, 'model.safetensors'))).toMatch(new RegExp(`/\\.model\\.safetensors\\.${process.pid}-[0-9a-f]{12}\\.tmp$`));
  });

  it('a save removes the temporary files of its target left by dead writers and old ones, and nothing else', async () => {
    const dead = deadPid();
    const names = {
      deadWriter: `.model.safetensors.${dead}-0123456789ab.tmp`,
      liveWriter: `.model.safetensors.${process.pid}-0123456789ab.tmp`,
      oldUnknown: '.model.safetensors.abcdefabcdef.tmp',
      recentUnknown: '.model.safetensors.fedcbafedcba.tmp',
      otherTarget: `.other.safetensors.${dead}-0123456789ab.tmp`,
    };
    for (const name of Object.values(names)) await writeFile(join(dir, name), 'partial');
    const hourAndMore = (Date.now() - STALE_TEMP_AGE_MS - 60_000) / 1000;
    await utimes(join(dir, names.oldUnknown), hourAndMore, hourAndMore);
    const net = makeNet();
    await saveModel(net, join(dir, 'model.safetensors'));
    expect(await temps()).toEqual([names.liveWriter, names.otherTarget, names.recentUnknown].sort());
    (await loadModel(join(dir, 'model.safetensors'), { registry })).network.dispose();
    net.dispose();
  });

  it('sweeps what a writer killed with SIGKILL in the middle of its write left behind', async () => {
    const target = join(dir, 'model.safetensors');
    // A process that opens a temporary file as saveModel does, writes part of it, and hangs.
    const script = `
      const fs = require('node:fs');
      const path = ${JSON.stringify(dir)} + '/.model.safetensors.' + process.pid + '-00112233aabb.tmp';
      const fd = fs.openSync(path, 'wx');
      fs.writeSync(fd, Buffer.alloc(4096, 1));
      process.stdout.write('written');
      setInterval(() => fs.writeSync(fd, Buffer.alloc(16, 2)), 5);
    `;
    for (let i = 0; i < 3; i++) {
      const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the writer did not start within 10 s')), 10_000);
        child.stdout.once('data', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    expect(await temps()).toHaveLength(3);
    const net = makeNet();
    await saveModel(net, target);
    expect(await temps()).toEqual([]);
    net.dispose();
  });

  it("a checkpoint listener sweeps its own checkpoints' temporary files, not other targets'", async () => {
    const dead = deadPid();
    const mine = `.ckpt-i10-e1.safetensors.${dead}-0123456789ab.tmp`;
    const notMine = `.other-i10-e1.safetensors.${dead}-0123456789ab.tmp`;
    await writeFile(join(dir, mine), 'partial');
    await writeFile(join(dir, notMine), 'partial');
    const net = makeNet();
    await new CheckpointListener({ directory: dir, prefix: 'ckpt', everyEpochs: 1 }).save(net);
    expect(await temps()).toEqual([notMine]);
    expect(await sweepStaleTemps(dir, (name) => name.startsWith('other-'))).toEqual([join(dir, notMine)]);
    net.dispose();
  });
});
