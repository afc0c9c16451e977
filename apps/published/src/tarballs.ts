import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root. */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Every package this repository publishes: the folders under `packages/` whose package.json is not private. */
export const publishedPackages: readonly string[] = readdirSync(join(root, 'packages'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .filter((name) => {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')) as { private?: boolean };
    return manifest.private !== true;
  })
  .sort();

/** The version of tfjs-core this repository is built and tested with, for consumers' installs. */
export const tfjsCore = `@tensorflow/tfjs-core@${(JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies['@tensorflow/tfjs-core'] ?? '4.22.0'}`;

/** Runs the pnpm that runs this test (turbo and pnpm set npm_execpath), else pnpm from PATH. */
function pnpm(args: string[], cwd: string): void {
  const exec = process.env.npm_execpath;
  if (exec !== undefined && /pnpm\.c?js$/.test(exec)) execFileSync(process.execPath, [exec, ...args], { cwd, stdio: 'pipe' });
  else execFileSync('pnpm', args, { cwd, stdio: 'pipe' });
}

/**
 * Packs packages (folder names under `packages/`) as `pnpm publish` would, each once, into
 * `destination`, and returns a function from folder names to their tarballs' paths.
 */
export function tarballPacker(destination: string): (names: readonly string[]) => string[] {
  const packed = new Map<string, string>();
  mkdirSync(destination, { recursive: true });
  return (names) =>
    names.map((name) => {
      let file = packed.get(name);
      if (file === undefined) {
        const before = new Set(readdirSync(destination));
        pnpm(['pack', '--pack-destination', destination], join(root, 'packages', name));
        const added = readdirSync(destination).filter((f) => !before.has(f) && f.endsWith('.tgz'));
        if (added.length !== 1) throw new Error(`pnpm pack of packages/${name} made ${added.length} tarballs: ${added.join(', ')}`);
        file = join(destination, added[0] as string);
        packed.set(name, file);
      }
      return file;
    });
}

/** An empty ES-module npm project at `dir`. */
export function emptyProject(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  return dir;
}

/** `npm install` of tarballs and registry specifiers into a project, quietly. */
export function npmInstall(dir: string, specifiers: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specifiers], { cwd: dir, stdio: 'pipe', env });
}

/**
 * The names with every `@dl4ts/*` package they depend on, transitively (what the registry would
 * install with them; peers are left to the installer's command line, as npm users must).
 */
export function withDependencies(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const manifest = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(manifest.dependencies ?? {})) if (dep.startsWith('@dl4ts/')) visit(dep.slice('@dl4ts/'.length));
  };
  names.forEach(visit);
  return [...seen];
}
