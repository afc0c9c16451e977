// The environment is chosen by package exports conditions, not by sniffing at run time: Node's own
// resolver, given the conditions a bundler or runtime would pass, picks the matching build.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Where `@dl4ts/backend-auto` resolves with these conditions, resolved from inside the package. */
function resolveWith(conditions: string[]): string {
  const flags = conditions.flatMap((c) => ['--conditions', c]);
  const script = "console.log(import.meta.resolve('@dl4ts/backend-auto'))";
  return execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' }).trim();
}

describe('exports conditions', () => {
  it('node resolves to the node build, browser to the browser build (sources, as in the workspace)', () => {
    expect(resolveWith(['@dl4ts/source'])).toMatch(/\/src\/node\.ts$/);
    expect(resolveWith(['@dl4ts/source', 'browser'])).toMatch(/\/src\/browser\.ts$/);
  });

  it('maps the published builds the same way, browser being the default for other runtimes', () => {
    const exported = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')).exports['.'];
    expect(exported).toMatchObject({ browser: './dist/browser.js', node: './dist/node.js', default: './dist/browser.js' });
    // Condition order matters: the first match wins, so browser must come before node (bundlers
    // targeting browsers often pass both).
    const keys = Object.keys(exported);
    expect(keys.indexOf('browser')).toBeLessThan(keys.indexOf('node'));
    expect(Object.keys(exported['@dl4ts/source'])).toEqual(['browser', 'node', 'default']);
  });
});
