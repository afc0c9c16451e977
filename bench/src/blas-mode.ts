// The two OpenBLAS settings the native cases run under, the same for every contender in a case:
// - `machine` (`<case>`): the environment as the machine has it. dl4ts's backend leaves the kernel
//   to OpenBLAS (`blasCore: 'library'`), as PyTorch's process does, so both run what OpenBLAS picks
//   itself, or the machine's OPENBLAS_CORETYPE where it sets one.
// - `best` (`<case>-best`): OPENBLAS_CORETYPE set to the kernel dl4ts's backend chooses for this CPU
//   (its `auto` choice, whatever the machine sets) and OPENBLAS_L2_SIZE unset, in the case's
//   environment, so that PyTorch's subprocess inherits it too.
// Each contender's kernel is then read from its own library and reported (`blasMetrics`).
import { type NativeBackend, type NativeBackendOptions, chooseBlasCore, describeNativeInfo, parseBlasConfig, readCpuFeatures } from '@dl4ts/backend-native';

export type BlasMode = 'machine' | 'best';

/** The suffix that names a case's `best` run. */
export const BEST_SUFFIX = '-best';

/** This process's mode, as the suite set it (`DL4TS_BENCH_BLAS`); `machine` where unset. */
export function blasMode(): BlasMode {
  const raw = process.env.DL4TS_BENCH_BLAS;
  if (raw === undefined || raw === '' || raw === 'machine') return 'machine';
  if (raw === 'best') return 'best';
  throw new RangeError(`DL4TS_BENCH_BLAS must be "machine" or "best", received ${JSON.stringify(raw)}`);
}

/** The kernel `best` runs: the native backend's choice for this CPU, ignoring the machine's setting. */
export function bestBlasCore(): string | undefined {
  return chooseBlasCore(readCpuFeatures(), {}).core;
}

/** The environment a case's process runs with in `mode`. */
export function blasModeEnv(mode: BlasMode, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, DL4TS_BENCH_BLAS: mode };
  if (mode === 'best') {
    const core = bestBlasCore();
    if (core === undefined) delete out.OPENBLAS_CORETYPE;
    else out.OPENBLAS_CORETYPE = core;
    delete out.OPENBLAS_L2_SIZE;
  }
  return out;
}

/** The native backend's options in `mode`: OpenBLAS's own choice on the machine as it is, dl4ts's (through the environment) at best. */
export function nativeOptionsFor(mode: BlasMode): NativeBackendOptions {
  return mode === 'machine' ? { blasCore: 'library' } : {};
}

/** A title's words for the mode. */
export function blasModeTitle(mode: BlasMode = blasMode()): string {
  const { OPENBLAS_CORETYPE: core, OPENBLAS_L2_SIZE: l2 } = process.env;
  if (mode === 'best') return `every contender on OpenBLAS's ${core ?? 'own'} kernel, the best for this CPU`;
  const settings = core === undefined && l2 === undefined ? 'no OPENBLAS_* variable set' : `OPENBLAS_CORETYPE=${core ?? ''} OPENBLAS_L2_SIZE=${l2 ?? ''}`;
  return `OpenBLAS as the machine has it (${settings})`;
}

/** What each contender's OpenBLAS runs: the native backend's report and PyTorch's own `openblas_get_config()`. */
export function blasMetrics(native: NativeBackend | undefined, torch: readonly { name: string; openblasConfig: string }[]): Record<string, string> {
  const metrics: Record<string, string> = {};
  const info = native?.info();
  if (info !== undefined) metrics['OpenBLAS, dl4ts native'] = describeNativeInfo(info);
  for (const { name, openblasConfig } of torch) {
    const { version, core } = parseBlasConfig(openblasConfig);
    metrics[`OpenBLAS, ${name}`] = openblasConfig === '' ? 'not loaded' : `OpenBLAS ${version}, ${core} kernel`;
  }
  return metrics;
}
