// Services some README programs need: @dl4ts/distributed's trains over Redis, so a throwaway
// redis-server is started for them and its URL handed over in DL4TS_REDIS_URL. Where
// redis-server is not installed those programs are skipped, saying why (with
// DL4TS_REQUIRE_REDIS=1, as CI sets it, that is an error instead).
import { redisServerMissing, startRedisServer, type LocalRedisServer } from '@dl4ts/distributed/testing';

const NEEDS_REDIS = /^packages\/distributed\//;

/** Why a README's programs cannot run here, or undefined when they can. */
export function missingService(readme: string): string | undefined {
  return NEEDS_REDIS.test(readme) ? redisServerMissing() : undefined;
}

/** Starts the services the READMEs need; `env()` is the environment their programs run with. */
export function readmeServices(readmes: readonly string[]): { start(): Promise<void>; stop(): Promise<void>; env(): NodeJS.ProcessEnv } {
  let redis: LocalRedisServer | undefined;
  const wanted = readmes.some((r) => NEEDS_REDIS.test(r) && missingService(r) === undefined);
  return {
    async start() {
      if (wanted) redis = await startRedisServer();
    },
    async stop() {
      await redis?.stop();
    },
    env: () => (redis === undefined ? process.env : { ...process.env, DL4TS_REDIS_URL: redis.url }),
  };
}
