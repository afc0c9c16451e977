import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

/** What a README's TypeScript block is: a program the tests compile and run, or a fragment. */
export type BlockRole = 'program' | 'example' | 'fragment';

export interface ReadmeBlock {
  /** The README, relative to the repository root. */
  readme: string;
  /** 1-based line of the block's first code line in the README. */
  line: number;
  role: BlockRole;
  /** The file name the block is written as, when other blocks import it (`ts file=name.ts`). */
  file?: string;
  code: string;
}

/** Info strings a TypeScript block may carry: `ts` (a program), `ts example` (the package's example), `ts fragment`. */
const ROLES: Readonly<Record<string, BlockRole>> = { '': 'program', example: 'example', fragment: 'fragment' };

export class ReadmeFormatError extends Error {
  override name = 'ReadmeFormatError';
}

/** What may follow `ts` in a fence's info string. */
const EXPECTED = "nothing (a program the tests run), 'example' or 'fragment', and optionally 'file=<name>.ts'";

/**
 * The TypeScript blocks of a Markdown text, in order. A fence's info string is `ts` or
 * `typescript`, then nothing, `example` or `fragment`, then optionally `file=<name>.ts` (the name
 * other blocks of the README import it by); any other word is an error, so that a typo cannot
 * quietly turn a program into something no test runs.
 */
export function readmeBlocks(markdown: string, readme: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(\S*)\s*(.*)$/.exec(lines[i] as string);
    if (open === null) continue;
    const [indent, fence, lang, rest] = [open[1] ?? '', open[2] ?? '', open[3] ?? '', open[4] ?? ''];
    const end = lines.findIndex((l, j) => j > i && l.trimEnd() === `${indent}${fence}`);
    if (end < 0) throw new ReadmeFormatError(`${readme}:${i + 1}: a code fence ${fence} that is never closed`);
    if (lang === 'ts' || lang === 'typescript') {
      const words = rest.trim() === '' ? [] : rest.trim().split(/\s+/);
      const file = words.find((w) => w.startsWith('file='))?.slice('file='.length);
      const marks = words.filter((w) => !w.startsWith('file='));
      const role = ROLES[marks.join(' ')];
      if (role === undefined || (file !== undefined && !/^[\w-]+\.ts$/.test(file))) {
        throw new ReadmeFormatError(`${readme}:${i + 1}: TypeScript block marked '${rest.trim()}'; expected ${EXPECTED}`);
      }
      const body = lines.slice(i + 1, end).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l));
      blocks.push({ readme, line: i + 2, role, ...(file === undefined ? {} : { file }), code: `${body.join('\n')}\n` });
    }
    i = end;
  }
  return blocks;
}

/** Every README in the repository that users read: the root's, each package's, app's and example's, the bench's. */
export function readmePaths(root: string): string[] {
  const inFolders = ['packages', 'apps', 'examples'].flatMap((folder) =>
    readdirSync(join(root, folder), { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== 'node_modules')
      .map((d) => join(root, folder, d.name, 'README.md')),
  );
  return [join(root, 'README.md'), join(root, 'examples', 'README.md'), join(root, 'bench', 'README.md'), ...inFolders]
    .filter((p) => existsSync(p))
    .map((p) => relative(root, p))
    .sort();
}

/** The blocks of every README under the root. */
export function allReadmeBlocks(root: string): ReadmeBlock[] {
  return readmePaths(root).flatMap((readme) => readmeBlocks(readFileSync(join(root, readme), 'utf8'), readme));
}

/**
 * The packages a README tells its reader to install: the first `pnpm add` or `npm install` line
 * in it, without flags.
 */
export function installLine(markdown: string, readme: string): string[] {
  const line = /^(?:pnpm add|npm install|npm i) (.+)$/m.exec(markdown)?.[1];
  if (line === undefined) throw new ReadmeFormatError(`${readme}: no 'pnpm add ...' install line`);
  return line.replace(/#.*$/, '').trim().split(/\s+/).filter((word) => !word.startsWith('-'));
}
