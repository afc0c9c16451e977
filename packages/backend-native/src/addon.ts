// Loading the native module: where it lies, whether this CPU can run it, and why not.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blasSelfCheck } from './blas-check';
import type { NativeAddon } from './addon-api';
import { type BlasCoreChoice, type BlasCoreOption, chooseBlasCore, parseBlasConfig, readCpuFeatures } from './blas-core';

export type { NativeAddon } from './addon-api';

/** The `abiVersion` this JavaScript expects; a stale build says another and is refused. */
export const ADDON_ABI_VERSION = 6;

/** Which OpenBLAS kernel runs, and why. */
export interface BlasReport {
  /** OpenBLAS's version (`0.3.21`). */
  readonly version: string;
  /** The kernel OpenBLAS runs, as it names it (`Haswell`, `SkylakeX`, `Prescott`, ...). */
  readonly core: string;
  /** `openblas_get_config()` as it is. */
  readonly config: string;
  /** What dl4ts (or the user) asked for, and why. */
  readonly choice: BlasCoreChoice;
  /** Set where the kernel running is not the one chosen, saying why that can be. */
  readonly mismatch?: string;
  /** The CPU's model name. */
  readonly cpu: string;
}

/** The outcome of {@link loadAddon}. */
export type AddonLoad = { readonly addon: NativeAddon; readonly path: string; readonly blas: BlasReport } | { readonly addon?: undefined; readonly reason: string };

/** The package's build folder (`<package>/build`), beside `src/` and `dist/`. */
export function defaultBuildDir(): string {
  return fileURLToPath(new URL('../build', import.meta.url));
}

const REBUILD = 'pnpm --filter @dl4ts/backend-native run build:addon (in a dl4ts checkout) or npm rebuild @dl4ts/backend-native';

const cache = new Map<string, AddonLoad>();

/**
 * Loads `build/Release/dl4ts_native.node` from `buildDir`, once per folder, with OpenBLAS on the
 * kernel {@link chooseBlasCore} picks (`blasCore`; OpenBLAS reads it when it initialises, so the
 * first load in a process decides for the whole process), then checks that kernel's products
 * against float64. Never throws for the machine's sake: a missing or unloadable module, or a kernel
 * that fails the check, comes back as a reason naming the cause and the fix.
 */
export function loadAddon(buildDir: string = defaultBuildDir(), blasCore: BlasCoreOption = 'auto'): AddonLoad {
  const known = cache.get(buildDir);
  if (known !== undefined) return known;
  const result = load(buildDir, blasCore);
  cache.set(buildDir, result);
  return result;
}

function load(buildDir: string, blasCore: BlasCoreOption): AddonLoad {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return { reason: `the native addon is built for linux-x64 only, this is ${process.platform}-${process.arch}` };
  }
  const path = join(buildDir, 'Release', 'dl4ts_native.node');
  if (!existsSync(path)) {
    const statusFile = join(buildDir, 'status.json');
    if (existsSync(statusFile)) {
      try {
        const status = JSON.parse(readFileSync(statusFile, 'utf8')) as { built?: boolean; reason?: string; fix?: string };
        if (status.built === false && typeof status.reason === 'string') {
          return { reason: `the native addon was not built at install: ${status.reason}; fix: ${status.fix ?? REBUILD}` };
        }
      } catch {
        // Unreadable: fall through to the generic reason.
      }
    }
    return { reason: `the native addon ${path} does not exist (it is built at install); fix: ${REBUILD}` };
  }
  const cpu = readCpuFeatures();
  // No procfs (not Linux): the build script has refused such a platform already.
  const missing = cpu === undefined ? [] : ['avx2', 'fma'].filter((flag) => !cpu.flags.has(flag));
  if (missing.length > 0) return { reason: `this CPU lacks ${missing.join(' and ')}, which the native kernels are compiled for` };
  const choice = chooseBlasCore(cpu, process.env, blasCore);
  let addon: NativeAddon;
  const userSetting = process.env.OPENBLAS_CORETYPE;
  try {
    // OpenBLAS reads the variable as libopenblas initialises, i.e. inside this require. It is put
    // back afterwards, so the processes the user starts see the environment they set.
    if (choice.core !== undefined) process.env.OPENBLAS_CORETYPE = choice.core;
    addon = createRequire(import.meta.url)(path) as NativeAddon;
  } catch (error) {
    return { reason: `the native addon at ${path} could not be loaded (${error instanceof Error ? error.message : String(error)}); fix: ${REBUILD}` };
  } finally {
    if (userSetting === undefined) delete process.env.OPENBLAS_CORETYPE;
    else process.env.OPENBLAS_CORETYPE = userSetting;
  }
  if (addon.abiVersion !== ADDON_ABI_VERSION) {
    return { reason: `the native addon at ${path} is a stale build (abi ${String(addon.abiVersion)}, expected ${ADDON_ABI_VERSION}); fix: ${REBUILD}` };
  }
  const config = addon.blasConfig();
  const { version, core, dynamicArch } = parseBlasConfig(config);
  const failure = blasSelfCheck(addon);
  if (failure !== undefined) {
    return {
      reason: `OpenBLAS's ${core} kernel failed dl4ts's self-check on this CPU (${failure}); fix: choose another kernel with OPENBLAS_CORETYPE (e.g. Haswell or Sandybridge) or nativeBackend({ blasCore: ... })`,
    };
  }
  const mismatch =
    choice.core === undefined || choice.core.toLowerCase() === core.toLowerCase()
      ? undefined
      : dynamicArch
        ? `${choice.core} was chosen but OpenBLAS runs ${core}: libopenblas was loaded earlier in this process, or this build does not know that core name`
        : `${choice.core} was chosen but this OpenBLAS build has no DYNAMIC_ARCH, so it always runs ${core}`;
  const blas: BlasReport = { version, core, config, choice, cpu: cpu?.model ?? 'unknown CPU', ...(mismatch === undefined ? {} : { mismatch }) };
  return { addon, path, blas };
}
