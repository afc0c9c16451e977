// Which OpenBLAS kernel ("core type") the process should run, decided from the CPU's features
// before the addon (and with it libopenblas) is loaded: OpenBLAS reads OPENBLAS_CORETYPE once, when
// the library initialises, and a build that does not know a CPU model falls back to its generic
// Prescott kernel (Debian 12's 0.3.21 on recent Xeons: 42 GFLOP/s where SkylakeX gives 248).
import { readFileSync } from 'node:fs';
import { BackendError } from '@dl4ts/core';

/** What the choice needs to know of the CPU. */
export interface CpuFeatures {
  /** `vendor_id` of /proc/cpuinfo: `GenuineIntel`, `AuthenticAMD`, ... */
  readonly vendor: string;
  /** `model name` of /proc/cpuinfo, for reports only. */
  readonly model: string;
  /** The `flags` of /proc/cpuinfo: `avx2`, `fma`, `avx512f`, ... */
  readonly flags: ReadonlySet<string>;
}

/**
 * The kernel to run: `auto` (default) picks the best for this CPU unless `OPENBLAS_CORETYPE` is set;
 * `library` leaves the choice to OpenBLAS's own detection; any other value is an OpenBLAS core name
 * (`Haswell`, `SkylakeX`, `Zen`, ...) forced over both.
 */
export type BlasCoreOption = 'auto' | 'library' | (string & {});

/** The decision, and why it was taken. */
export interface BlasCoreChoice {
  /** The core name set for OpenBLAS, or undefined where OpenBLAS detects it itself. */
  readonly core: string | undefined;
  /** Who decided: the `blasCore` option, the user's environment, dl4ts from the CPU's flags, or OpenBLAS. */
  readonly source: 'option' | 'environment' | 'detected' | 'library';
  /** One sentence for reports. */
  readonly reason: string;
}

const AVX512 = ['avx512f', 'avx512bw', 'avx512dq', 'avx512vl'];

/** Reads the first processor's vendor, model name and flags from /proc/cpuinfo; undefined where there is none. */
export function readCpuFeatures(path = '/proc/cpuinfo'): CpuFeatures | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  return { vendor: field('vendor_id'), model: field('model name'), flags: new Set(field('flags').split(/\s+/).filter(Boolean)) };
}

/**
 * Chooses the OpenBLAS core type. The `blasCore` option wins, then a non-empty `OPENBLAS_CORETYPE` in
 * the environment (some machines set it on purpose: older OpenBLAS builds misbehave on some AMD
 * CPUs), then the CPU's flags: `SkylakeX` where it has AVX-512 F, BW, DQ and VL, Intel or AMD (on a
 * Zen 4, OpenBLAS 0.3.21's SkylakeX kernels ran its float32 products as fast as its own choice and
 * PyTorch's one-row products 4x faster than its Haswell kernels), `Haswell` where it has AVX2 and FMA
 * (OpenBLAS's Zen kernels are its Haswell ones). A CPU without AVX2 and FMA is left to OpenBLAS (the
 * native kernels need both anyway). Where OpenBLAS knows the CPU it picks the same kernels or their
 * equals itself, so naming them costs nothing there.
 */
export function chooseBlasCore(cpu: CpuFeatures | undefined, env: Readonly<Record<string, string | undefined>>, option: BlasCoreOption = 'auto'): BlasCoreChoice {
  if (option === 'library') return { core: undefined, source: 'library', reason: "OpenBLAS's own detection (blasCore: 'library')" };
  if (option !== 'auto') {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(option)) {
      throw new BackendError(`nativeBackend: blasCore must be 'auto', 'library' or an OpenBLAS core name such as 'Haswell' or 'SkylakeX', received ${JSON.stringify(option)}`);
    }
    return { core: option, source: 'option', reason: `blasCore: '${option}'` };
  }
  const fromEnv = env.OPENBLAS_CORETYPE?.trim();
  if (fromEnv !== undefined && fromEnv !== '') return { core: fromEnv, source: 'environment', reason: `OPENBLAS_CORETYPE=${fromEnv} in the environment` };
  if (cpu === undefined) return { core: undefined, source: 'library', reason: "OpenBLAS's own detection (no /proc/cpuinfo to read)" };
  const has = (flag: string) => cpu.flags.has(flag);
  if (!has('avx2') || !has('fma')) return { core: undefined, source: 'library', reason: "OpenBLAS's own detection (the CPU lacks AVX2 or FMA)" };
  if (AVX512.every(has)) return { core: 'SkylakeX', source: 'detected', reason: 'a CPU with AVX-512 (F, BW, DQ, VL)' };
  return { core: 'Haswell', source: 'detected', reason: 'a CPU with AVX2 and FMA, without AVX-512' };
}

/** The parts of `openblas_get_config()` a report needs: `OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64`. */
export function parseBlasConfig(config: string): { version: string; core: string; dynamicArch: boolean } {
  const words = config.trim().split(/\s+/);
  const threadsAt = words.findIndex((w) => w.startsWith('MAX_THREADS='));
  const core = threadsAt > 0 ? (words[threadsAt - 1] as string) : (words.at(-1) ?? '');
  return { version: words[0] === 'OpenBLAS' ? (words[1] ?? '') : '', core, dynamicArch: words.includes('DYNAMIC_ARCH') };
}
