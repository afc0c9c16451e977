// The OpenBLAS kernel choice: CPU flags, the user's setting and the option in, core type out; and,
// where the addon loads, that the kernel OpenBLAS runs in this process is the one chosen, that the
// environment the user set is left as it was, and that a broken kernel is refused by the self-check.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackendError } from '@dl4ts/core';
import { describe, expect, it } from 'vitest';
import { type NativeAddon, loadAddon } from './addon';
import { blasSelfCheck } from './blas-check';
import { type CpuFeatures, chooseBlasCore, parseBlasConfig, readCpuFeatures } from './blas-core';
import { describeNativeInfo, nativeBackend } from './native-backend';
import { nativeAvailable } from './test-support';

const cpu = (vendor: string, flags: string): CpuFeatures => ({ vendor, model: 'test CPU', flags: new Set(flags.split(' ')) });
const AVX2 = 'sse4_2 avx f16c fma avx2 bmi2';
const AVX512 = `${AVX2} avx512f avx512dq avx512cd avx512bw avx512vl`;

describe('chooseBlasCore', () => {
  it('picks SkylakeX for AVX-512 (Intel or AMD), Haswell for AVX2 with FMA', () => {
    expect(chooseBlasCore(cpu('GenuineIntel', AVX512), {})).toMatchObject({ core: 'SkylakeX', source: 'detected' });
    expect(chooseBlasCore(cpu('GenuineIntel', `${AVX512} avx512_bf16 amx_tile`), {})).toMatchObject({ core: 'SkylakeX', source: 'detected' });
    expect(chooseBlasCore(cpu('GenuineIntel', AVX2), {})).toMatchObject({ core: 'Haswell', source: 'detected' });
    expect(chooseBlasCore(cpu('AuthenticAMD', AVX2), {})).toMatchObject({ core: 'Haswell', source: 'detected' });
    expect(chooseBlasCore(cpu('AuthenticAMD', `${AVX512} avx512_bf16`), {})).toMatchObject({ core: 'SkylakeX', source: 'detected' });
    expect(chooseBlasCore(cpu('HygonGenuine', AVX2), {})).toMatchObject({ core: 'Haswell', source: 'detected' });
  });

  it('needs all four AVX-512 subsets for SkylakeX (F alone is a Knights Landing, which SkylakeX kernels would crash)', () => {
    expect(chooseBlasCore(cpu('GenuineIntel', `${AVX2} avx512f avx512cd`), {})).toMatchObject({ core: 'Haswell' });
    expect(chooseBlasCore(cpu('GenuineIntel', `${AVX2} avx512f avx512dq avx512bw`), {})).toMatchObject({ core: 'Haswell' });
  });

  it("leaves a CPU without AVX2 and FMA, or an unknown one, to OpenBLAS's detection", () => {
    expect(chooseBlasCore(cpu('GenuineIntel', 'sse4_2 avx'), {})).toMatchObject({ core: undefined, source: 'library' });
    expect(chooseBlasCore(cpu('GenuineIntel', 'sse4_2 avx avx2'), {})).toMatchObject({ core: undefined, source: 'library' });
    expect(chooseBlasCore(undefined, {})).toMatchObject({ core: undefined, source: 'library' });
  });

  it("lets the user's OPENBLAS_CORETYPE win over the flags (an empty one counts as unset), and the option win over both", () => {
    expect(chooseBlasCore(cpu('GenuineIntel', AVX512), { OPENBLAS_CORETYPE: 'Haswell' })).toEqual({ core: 'Haswell', source: 'environment', reason: 'OPENBLAS_CORETYPE=Haswell in the environment' });
    expect(chooseBlasCore(cpu('GenuineIntel', AVX512), { OPENBLAS_CORETYPE: ' ' })).toMatchObject({ core: 'SkylakeX', source: 'detected' });
    expect(chooseBlasCore(cpu('GenuineIntel', AVX512), { OPENBLAS_CORETYPE: 'Haswell' }, 'Sandybridge')).toMatchObject({ core: 'Sandybridge', source: 'option' });
    expect(chooseBlasCore(cpu('GenuineIntel', AVX512), { OPENBLAS_CORETYPE: 'Haswell' }, 'library')).toMatchObject({ core: undefined, source: 'library' });
  });

  it('rejects a malformed core name with a typed error naming it', () => {
    expect(() => chooseBlasCore(undefined, {}, 'Sky lake')).toThrow(BackendError);
    expect(() => nativeBackend({ blasCore: '' })).toThrow(`blasCore must be 'auto', 'library' or an OpenBLAS core name such as 'Haswell' or 'SkylakeX', received ""`);
  });
});

describe('readCpuFeatures and parseBlasConfig', () => {
  it('read the first processor of a cpuinfo file, and nothing from a missing one', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dl4ts-cpuinfo-')), 'cpuinfo');
    writeFileSync(file, 'processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Platinum\nflags\t\t: fpu avx2 fma avx512f\n\nprocessor\t: 1\nvendor_id\t: GenuineIntel\n');
    const features = readCpuFeatures(file);
    expect(features).toMatchObject({ vendor: 'GenuineIntel', model: 'Intel(R) Xeon(R) Platinum' });
    expect([...(features?.flags ?? [])]).toEqual(['fpu', 'avx2', 'fma', 'avx512f']);
    expect(readCpuFeatures(join(tmpdir(), 'no-such-cpuinfo'))).toBeUndefined();
  });

  it("read OpenBLAS's version and core from its configuration string, dynamic or not", () => {
    expect(parseBlasConfig('OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Prescott MAX_THREADS=64')).toEqual({ version: '0.3.21', core: 'Prescott', dynamicArch: true });
    expect(parseBlasConfig('OpenBLAS 0.3.26  USE64BITINT NO_AFFINITY HASWELL MAX_THREADS=128')).toEqual({ version: '0.3.26', core: 'HASWELL', dynamicArch: false });
  });
});

describe('blasSelfCheck', () => {
  /** A stand-in addon whose product is the float64 result perturbed by `perturb`. */
  const fakeAddon = (perturb: (exact: number, index: number) => number): NativeAddon =>
    ({
      matMul(a: Float32Array, b: Float32Array, out: Float32Array, _ba: number, _bb: number, m: number, n: number, k: number, ta: boolean, tb: boolean) {
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let q = 0; q < k; q++) s += (a[ta ? q * m + i : i * k + q] as number) * (b[tb ? j * k + q : q * n + j] as number);
            out[i * n + j] = perturb(s, i * n + j);
          }
      },
    }) as unknown as NativeAddon;

  it('passes a correct product rounded to float32, and refuses one wrong element or a kernel that ignores a transpose', () => {
    expect(blasSelfCheck(fakeAddon((s) => Math.fround(s)))).toBeUndefined();
    expect(blasSelfCheck(fakeAddon((s, i) => (i === 17 ? s + 1e-3 : s)))).toMatch(/^a 67x45 by 45x53 product \(transposeA=false, transposeB=false\) gave .* at \[0, 17\] where float64 gives .*, beyond the float32 error bound/);
    const ignoresTranspose = {
      matMul: (a: Float32Array, b: Float32Array, out: Float32Array, ba: number, bb: number, m: number, n: number, k: number) => fakeAddon((s) => s).matMul(a, b, out, ba, bb, m, n, k, false, false, null, 0, 0, 0),
    } as unknown as NativeAddon;
    expect(blasSelfCheck(ignoresTranspose)).toMatch(/transposeA=true, transposeB=true/);
  });
});

describe.runIf(nativeAvailable)('the kernel OpenBLAS runs in this process', () => {
  it('is the one chosen for this CPU and environment, checked, and the environment is left as the user set it', () => {
    const before = process.env.OPENBLAS_CORETYPE;
    const loaded = loadAddon();
    if (loaded.addon === undefined) throw new Error(loaded.reason);
    const choice = chooseBlasCore(readCpuFeatures(), process.env);
    expect(loaded.blas.choice).toEqual(choice);
    if (choice.core !== undefined) expect(loaded.blas.core.toLowerCase()).toBe(choice.core.toLowerCase());
    expect(loaded.blas.mismatch).toBeUndefined();
    expect(loaded.blas.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(blasSelfCheck(loaded.addon)).toBeUndefined();
    expect(process.env.OPENBLAS_CORETYPE).toBe(before);
  });

  it('is reported by info() and in one line by describe(), which selectBackend passes on', async () => {
    const { selectBackend } = await import('@dl4ts/core');
    const backend = nativeBackend({ threads: 2 });
    const chosen = await selectBackend('native', [backend]);
    const info = backend.info();
    expect(info?.threads).toMatchObject({ blas: 2, pool: 2 });
    const line = describeNativeInfo(info as NonNullable<typeof info>);
    expect(line).toMatch(new RegExp(`^OpenBLAS \\d+\\.\\d+\\.\\d+, ${info?.blas.core} kernel \\(.+\\), 2 threads, `));
    expect(chosen.detail).toBe(line);
  });
});
