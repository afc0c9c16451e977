import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '@dl4ts/core';
import { Network } from '@dl4ts/core';
import { ParallelTrainer, WorkerError, type SpecSource } from '@dl4ts/parallel';
import { openData } from '@dl4ts/parallel/node';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';
import { registryWith } from '@dl4ts/core/testing';
import { redactUrl } from './connection';
import { startLocalWorkers } from './local-workers';
import { redisWorkers } from './redis-transport';
import { DATA_FIXTURE_URL, PACKAGE_DIR } from './test-support';
import { redisServerMissing, startRedisServer, type LocalRedisServer } from './testing';

const missing = redisServerMissing();
const PASSWORD = 's3cret-Pa55';

function network(): Network {
  return new Network(
    { seed: 1, input: 6, layers: [{ type: 'layers/output', nOut: 3, activation: 'softmax', loss: 'mcxent' }] },
    { registry: registryWith(registerLayers, registerLosses, registerUpdaters), onWarning: () => undefined },
  ).init();
}

describe('the Redis URL is configuration, never shown', () => {
  it('redactUrl keeps scheme, host, port and database only', () => {
    expect(redactUrl('rediss://user:pw@cache.example.com:6380/2')).toBe('rediss://cache.example.com:6380/2');
    expect(redactUrl('redis://:pw@127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redactUrl('not a url')).toBe('(unparsable Redis URL)');
  });

  it('rejects a URL that is not redis:// or rediss:// without echoing it', () => {
    expect(() => redisWorkers({ url: 'http://user:pw@host', run: 'r' })).toThrow(/must start with redis:\/\/ or rediss:\/\/, received http:\/\//);
    expect(() => redisWorkers({ url: 'http://user:pw@host', run: 'r' })).not.toThrow(/pw/);
    expect(() => redisWorkers({ url: 'redis://h', run: 'a:b' })).toThrow(/run must be 1 to 64 letters/);
  });

  describe.skipIf(missing !== undefined)(`with a password-protected server${missing === undefined ? '' : ` (skipped: ${missing})`}`, () => {
    let redis: LocalRedisServer;
    let data: SpecSource;
    beforeAll(async () => {
      redis = await startRedisServer({ password: PASSWORD });
      data = await openData({ module: DATA_FIXTURE_URL, export: 'classificationData', options: { n: 32, features: 6, classes: 3, seed: 1 } });
    });
    afterAll(async () => {
      data?.dispose();
      await redis?.stop();
    });

    it('trains with the password in the URL, and no worker prints it', async () => {
      expect(redis.url).toContain(PASSWORD);
      const workers = startLocalWorkers({ url: redis.url, run: 'auth', workers: 1, cwd: PACKAGE_DIR });
      const net = network();
      const trainer = new ParallelTrainer<Model>(net, { transport: redisWorkers({ url: redis.url, run: 'auth' }), workers: 1, backend: 'cpu' });
      try {
        await trainer.fit(data, { epochs: 1, batchSize: 8 });
      } finally {
        await trainer.close();
        net.dispose();
      }
      const [worker] = workers;
      expect(await worker?.exited).toBe(0);
      expect(worker?.output()).toMatch(/at redis:\/\/127\.0\.0\.1:\d+/);
      expect(worker?.output()).not.toContain(PASSWORD);
    });

    it('a wrong password fails fit with a typed error that does not show it', async () => {
      const wrong = redis.url.replace(PASSWORD, 'wrong-password');
      const net = network();
      const trainer = new ParallelTrainer<Model>(net, { transport: redisWorkers({ url: wrong, run: 'auth-wrong', retries: 1, maxBackoffMs: 50, startTimeoutMs: 20_000 }), workers: 1, backend: 'cpu' });
      try {
        const failure = await trainer.fit(data, { epochs: 1 }).catch((e: unknown) => e);
        expect(failure).toBeInstanceOf(WorkerError);
        expect(String((failure as Error).message)).not.toContain('wrong-password');
        expect(String((failure as Error).message)).toMatch(/WRONGPASS|NOAUTH|invalid username-password/i);
      } finally {
        await trainer.close();
        net.dispose();
      }
    });
  });
});
