/**
 * Finding a WebGPU adapter: `navigator.gpu` in browsers, Dawn (the `webgpu` package) in Node.js, with
 * a software fallback through Mesa's OpenGL ES driver where no GPU is present. Only the members of
 * the WebGPU API read here are typed, so that this package's types need no `@webgpu/types`.
 */

/** The part of a `GPUAdapter` read here. */
export interface GpuAdapterLike {
  readonly info?: { readonly vendor?: string; readonly architecture?: string; readonly device?: string; readonly description?: string };
  readonly limits: Readonly<Record<string, number>>;
  requestDevice(descriptor?: object): Promise<unknown>;
}

/** The part of `navigator.gpu` (a `GPU` object) used here. */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance'; featureLevel?: string }): Promise<GpuAdapterLike | null>;
}

/** What the `webgpu` npm package (Dawn's Node.js bindings) exports. */
export interface DawnModule {
  create(flags: string[]): GpuLike;
  /** `GPUBufferUsage`, `GPUMapMode`, `GPUBuffer`, ...: browser globals that tfjs-backend-webgpu reads. */
  readonly globals: Readonly<Record<string, unknown>>;
}

/** One way of asking Dawn for an adapter: instance flags, then adapter options. */
export interface DawnAttempt {
  /** Flags for Dawn's `create`, such as `backend=opengles`. Empty: Dawn's default (Vulkan, Metal, D3D12). */
  readonly flags: readonly string[];
  /** `compatibility` accepts adapters that lack some core features, such as OpenGL ES. */
  readonly featureLevel?: 'core' | 'compatibility';
}

/**
 * Dawn's default backend first (a real GPU through Vulkan, Metal or D3D12), then OpenGL ES in
 * compatibility mode, which is how a machine without a GPU runs WebGPU: in software through Mesa's
 * llvmpipe.
 */
export const DEFAULT_DAWN_ATTEMPTS: readonly DawnAttempt[] = [
  { flags: [] },
  { flags: ['backend=opengles'], featureLevel: 'compatibility' },
];

/** The Debian/Ubuntu packages that give Dawn a software OpenGL ES adapter. */
export const MESA_APT_PACKAGES = ['libegl1', 'libegl-mesa0', 'libgl1-mesa-dri'] as const;

/** A found adapter, or why none was found. */
export type AdapterSearch =
  | { readonly found: true; readonly gpu: GpuLike; readonly adapter: GpuAdapterLike; readonly dawn: DawnModule | undefined }
  | { readonly found: false; readonly reason: string };

/** How {@link findAdapter} looks for an adapter; every field has a default and exists for tests. */
export interface AdapterSearchOptions {
  readonly gpu?: GpuLike;
  readonly powerPreference?: 'low-power' | 'high-performance';
  readonly dawnAttempts?: readonly DawnAttempt[];
  readonly loadDawn?: () => Promise<DawnModule>;
  /** Folders searched for the Mesa libraries when Dawn finds no adapter on Linux. */
  readonly libraryDirs?: readonly string[];
}

export const WEBGPU_NODE_PACKAGE = 'webgpu';

/** Looks for an adapter without changing anything tfjs sees (Node: may set `EGL_PLATFORM`, see below). */
export async function findAdapter(options: AdapterSearchOptions): Promise<AdapterSearch> {
  const powerPreference = options.powerPreference ?? 'high-performance';
  const navigatorGpu = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  const given = options.gpu ?? navigatorGpu;
  if (given !== undefined) {
    const adapter = (await given.requestAdapter({ powerPreference })) ?? (await given.requestAdapter({ powerPreference, featureLevel: 'compatibility' }));
    if (adapter !== null) return { found: true, gpu: given, adapter, dawn: undefined };
    return {
      found: false,
      reason:
        'navigator.gpu.requestAdapter() returned no adapter: WebGPU may be disabled (browser flags, blocklisted GPU driver, ' +
        'or a headless browser started without a GPU); see chrome://gpu or about:support',
    };
  }
  if (!isNode()) {
    return {
      found: false,
      reason:
        'this browser has no navigator.gpu: WebGPU needs a recent Chrome, Edge or Safari (or Firefox with WebGPU enabled) ' +
        'and a secure context (https:// or localhost)',
    };
  }

  let dawn: DawnModule;
  try {
    dawn = await (options.loadDawn ?? importDawn)();
  } catch (error) {
    return { found: false, reason: explainDawnLoadFailure(error) };
  }
  // Mesa's EGL looks for a display unless told to run without one; headless machines have none.
  if (process.platform === 'linux' && process.env.EGL_PLATFORM === undefined) process.env.EGL_PLATFORM = 'surfaceless';
  for (const attempt of options.dawnAttempts ?? DEFAULT_DAWN_ATTEMPTS) {
    const gpu = dawn.create([...attempt.flags]);
    const adapterOptions = attempt.featureLevel === undefined ? { powerPreference } : { powerPreference, featureLevel: attempt.featureLevel };
    const adapter = await gpu.requestAdapter(adapterOptions);
    if (adapter !== null) return { found: true, gpu, adapter, dawn };
  }
  return { found: false, reason: await explainNoDawnAdapter(options.libraryDirs) };
}

function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}

function importDawn(): Promise<DawnModule> {
  // A variable specifier: bundlers and vitest must not try to resolve an optional, Node-only peer.
  const specifier: string = WEBGPU_NODE_PACKAGE;
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<DawnModule>;
}

const NOT_INSTALLED = /cannot find (?:package|module)\s+['"]webgpu['"]/i;

function explainDawnLoadFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const detail = message.split('\n')[0]!.trim().slice(0, 300);
  if (NOT_INSTALLED.test(message)) {
    return (
      `Node.js has no navigator.gpu, and the "${WEBGPU_NODE_PACKAGE}" package (Dawn, an optional peer of @dl4ts/backend-gpu) ` +
      `is not installed: "pnpm add ${WEBGPU_NODE_PACKAGE}" or "npm install ${WEBGPU_NODE_PACKAGE}" (it ships prebuilt binaries for ` +
      'Linux, macOS and Windows, x64 and arm64)'
    );
  }
  return `the "${WEBGPU_NODE_PACKAGE}" package (Dawn) failed to load: ${detail}`;
}

const DEFAULT_LIBRARY_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu'];

/** Mesa files Dawn's OpenGL ES path loads, and the Debian package of each. */
const MESA_FILES: readonly { readonly file: string; readonly apt: string }[] = [
  { file: 'libEGL.so.1', apt: 'libegl1' },
  { file: 'libEGL_mesa.so.0', apt: 'libegl-mesa0' },
];

/** Which of the Mesa libraries are absent from every folder; each entry names its apt package. */
export async function missingMesaLibraries(dirs: readonly string[] = DEFAULT_LIBRARY_DIRS): Promise<string[]> {
  // A variable specifier keeps browser bundlers from trying to bundle node:fs; this runs only in Node.
  const fsName: string = 'node:fs';
  const { existsSync } = (await import(/* @vite-ignore */ /* webpackIgnore: true */ fsName)) as typeof import('node:fs');
  return MESA_FILES.filter(({ file }) => !dirs.some((dir) => existsSync(`${dir}/${file}`))).map(({ file, apt }) => `${file} (${apt})`);
}

async function explainNoDawnAdapter(libraryDirs: readonly string[] | undefined): Promise<string> {
  const base = 'Dawn found no WebGPU adapter (tried its default GPU backend, then OpenGL ES in compatibility mode)';
  if (process.platform !== 'linux') return `${base}; check the GPU driver`;
  const missing = await missingMesaLibraries(libraryDirs);
  const install = `apt-get install ${MESA_APT_PACKAGES.join(' ')}`;
  const platform = `EGL_PLATFORM=${process.env.EGL_PLATFORM ?? '(unset)'}`;
  if (missing.length > 0) {
    return `${base}. Without a GPU, WebGPU runs in software through Mesa's OpenGL ES driver, whose libraries are missing: ${missing.join(', ')}; on Debian or Ubuntu: "${install}" (${platform}; headless machines need EGL_PLATFORM=surfaceless, which the adapter sets when it is unset)`;
  }
  return `${base}. The Mesa libraries are present; check that Mesa's llvmpipe driver is installed (${install}) and that EGL_PLATFORM suits this machine (${platform}; surfaceless on machines without a display)`;
}
