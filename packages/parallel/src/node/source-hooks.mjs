// Module hooks that let a worker thread run this monorepo's TypeScript sources directly (tests
// run on src/, with the `@dl4ts/source` export condition, and Node 20 cannot load .ts files).
// Used only when the trainer itself was loaded from a .ts file; published builds run dist/*.js
// and never load this file. esbuild (a dev dependency) strips the types; nothing is type-checked.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const SOURCE = '@dl4ts/source';

/** Relative specifiers in the sources omit the extension, as bundlers allow; Node does not. */
function withExtension(specifier, parentURL) {
  if (!parentURL?.endsWith('.ts') || !(specifier.startsWith('./') || specifier.startsWith('../'))) return undefined;
  if (/\.[cm]?[jt]s$|\.json$/.test(specifier)) return undefined;
  for (const candidate of [`${specifier}.ts`, `${specifier}/index.ts`]) {
    const url = new URL(candidate, parentURL);
    if (existsSync(fileURLToPath(url))) return url.href;
  }
  return undefined;
}

export async function resolve(specifier, context, nextResolve) {
  const direct = withExtension(specifier, context.parentURL);
  if (direct !== undefined) return { url: direct, shortCircuit: true };
  const conditions = context.conditions.includes(SOURCE) ? context.conditions : [SOURCE, ...context.conditions];
  return nextResolve(specifier, { ...context, conditions });
}

export async function load(url, context, nextLoad) {
  if (url.startsWith('file:') && url.endsWith('.ts')) {
    const source = await readFile(fileURLToPath(url), 'utf8');
    const { code } = await transform(source, { loader: 'ts', format: 'esm', target: 'es2022', sourcefile: fileURLToPath(url) });
    return { format: 'module', source: code, shortCircuit: true };
  }
  // Sources import package.json without an import attribute; hand it over as a module.
  if (url.startsWith('file:') && url.endsWith('.json') && context.importAttributes?.type !== 'json') {
    const source = await readFile(fileURLToPath(url), 'utf8');
    return { format: 'module', source: `export default ${source};`, shortCircuit: true };
  }
  return nextLoad(url, context);
}
