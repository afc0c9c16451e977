// Keeps `as unknown as` rare and explained: outside tests (*.test.ts, *.test-d.ts), the packages'
// sources may hold at most MAX of them, each on the line after a `// Cast: <why>` comment. A
// component reads its own options through its typed config, and the registry returns typed
// instances; a cast is for types another library does not export. Exits non-zero otherwise.
//
//   node scripts/check-casts.mjs
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX = 8;
const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const packages = join(root, 'packages');

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (/\.tsx?$/.test(name) && !/\.test(-d)?\.ts$/.test(name)) yield path;
  }
}

const casts = [];
const unexplained = [];
for (const pkg of readdirSync(packages)) {
  const src = join(packages, pkg, 'src');
  if (!statSync(join(packages, pkg)).isDirectory()) continue;
  let files;
  try {
    files = [...sources(src)];
  } catch {
    continue;
  }
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!line.includes('as unknown as')) return;
      const where = `${relative(root, file)}:${i + 1}`;
      casts.push(where);
      if (!/^\s*\/\/ Cast: \S/.test(lines[i - 1] ?? '')) unexplained.push(where);
    });
  }
}

let failed = false;
if (casts.length > MAX) {
  failed = true;
  console.error(`check-casts: ${casts.length} \`as unknown as\` casts outside tests, at most ${MAX} allowed:\n  ${casts.join('\n  ')}`);
}
if (unexplained.length > 0) {
  failed = true;
  console.error(`check-casts: a cast needs a "// Cast: <why>" comment on the line above it:\n  ${unexplained.join('\n  ')}`);
}
if (failed) process.exit(1);
console.log(`check-casts: ${casts.length} of at most ${MAX} casts, each explained`);
