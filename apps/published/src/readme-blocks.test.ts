import { describe, expect, it } from 'vitest';
import { ReadmeFormatError, installLine, readmeBlocks } from './readme-blocks';

describe('readmeBlocks', () => {
  const md = ['# T', '```bash', 'pnpm add @dl4ts/core x # comment', '```', '```ts', 'const a = 1;', '```', '', '  ```ts fragment', '  a.b();', '  ```', '```ts example', 'x', '```', '```ts file=a-b.ts', 'export const z = 1;', '```', '```js', 'y', '```'].join('\n');

  it('finds TypeScript blocks with their line, role and code, unindented', () => {
    expect(readmeBlocks(md, 'R.md')).toEqual([
      { readme: 'R.md', line: 6, role: 'program', code: 'const a = 1;\n' },
      { readme: 'R.md', line: 10, role: 'fragment', code: 'a.b();\n' },
      { readme: 'R.md', line: 13, role: 'example', code: 'x\n' },
      { readme: 'R.md', line: 16, role: 'program', file: 'a-b.ts', code: 'export const z = 1;\n' },
    ]);
  });

  it('refuses an unknown marker and an unclosed fence, naming the line', () => {
    expect(() => readmeBlocks('```ts fragmnet\nx\n```', 'R.md')).toThrow(new ReadmeFormatError("R.md:1: TypeScript block marked 'fragmnet'; expected nothing (a program the tests run), 'example' or 'fragment', and optionally 'file=<name>.ts'"));
    expect(() => readmeBlocks('```ts file=../x.ts\nx\n```', 'R.md')).toThrow(/R\.md:1: TypeScript block marked 'file=\.\.\/x\.ts'/);
    expect(() => readmeBlocks('a\n```ts\nx', 'R.md')).toThrow(/R\.md:2: a code fence ``` that is never closed/);
  });

  it('reads the install line without comments and flags', () => {
    expect(installLine(md, 'R.md')).toEqual(['@dl4ts/core', 'x']);
    expect(installLine('npm install -D a b', 'R.md')).toEqual(['a', 'b']);
    expect(() => installLine('nothing', 'R.md')).toThrow(ReadmeFormatError);
  });
});
