import { createRequire } from 'node:module';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '@dl4ts/core';

const isPath = (specifier: string): boolean => specifier.startsWith('.') || isAbsolute(specifier);

/**
 * Imports a backend or plugin module: first as this package sees it (hoisted installs, workspaces),
 * then from the application (`resolveFrom`), where a strict layout such as pnpm's puts it. Paths
 * are taken relative to `resolveFrom`.
 */
export async function importModule(specifier: string, resolveFrom: string | undefined): Promise<Record<string, unknown>> {
  const base = resolvePath(resolveFrom ?? process.cwd());
  if (specifier.startsWith('file:')) return (await import(specifier)) as Record<string, unknown>;
  if (isPath(specifier)) return (await import(pathToFileURL(resolvePath(base, specifier)).href)) as Record<string, unknown>;
  try {
    return (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' || !String((error as Error).message).includes(`'${specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/')}'`)) throw error;
    let resolved: string;
    try {
      resolved = createRequire(`${base}/`).resolve(specifier);
    } catch {
      throw new ConfigError(`cannot import "${specifier}": not found from @dl4ts/parallel nor from ${base}; install it in the application or set the resolveFrom option`);
    }
    return (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
  }
}

