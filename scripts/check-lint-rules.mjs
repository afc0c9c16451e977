// Proves that eslint.config.js enforces the architecture rules: "component packages stay
// backend-neutral; only apps, examples, benches and tests choose a backend", and "no import cycles
// inside a package".
//
// Lints small snippets through the ESLint Node API as if they lived at given paths (the files need
// not exist) and checks which ones report a backend import. Exits non-zero on any mismatch.
//
//   node scripts/check-lint-rules.mjs
import { ESLint } from 'eslint';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BACKEND_RULES = new Set(['no-restricted-imports', 'no-restricted-syntax']);
const WHY = 'component packages stay backend-neutral';

const snippets = {
  cpu: "import { cpuBackend } from '@dl4ts/backend-cpu';\nexport const b = cpuBackend;\n",
  wasmAdapter: "import { wasmBackend } from '@dl4ts/backend-wasm';\nexport const w = wasmBackend;\n",
  wasmSubpath: "export { wasmBackend } from '@dl4ts/backend-wasm/dist/index.js';\n",
  typeOnly: "import type { CudaBackendOptions } from '@dl4ts/backend-gpu';\nexport type O = CudaBackendOptions;\n",
  tfjsCpu: "import '@tensorflow/tfjs-backend-cpu';\n",
  tfjsWasm: "import * as wasm from '@tensorflow/tfjs-backend-wasm';\nexport const w = wasm;\n",
  tfjsNode: "import * as tfn from '@tensorflow/tfjs-node';\nexport const t = tfn;\n",
  tfjsNodeGpu: "import '@tensorflow/tfjs-node-gpu';\n",
  dynamic: "export const load = () => import('@tensorflow/tfjs-backend-webgl');\n",
  neutral: "import * as tf from '@tensorflow/tfjs-core';\nimport { Registry } from '@dl4ts/core';\nexport const x = [tf, Registry];\n",
};

// [cwd relative to root, file path relative to cwd, snippet, expected: backend import reported?]
const cases = [
  // Component packages: every backend import is an error, whatever its form.
  ['.', 'packages/layers/src/x.ts', 'cpu', true],
  ['.', 'packages/losses/src/x.ts', 'wasmSubpath', true],
  ['.', 'packages/updaters/src/x.ts', 'typeOnly', true],
  ['.', 'packages/rbm/src/x.ts', 'tfjsWasm', true],
  ['.', 'packages/rnn/src/x.ts', 'tfjsNode', true],
  ['.', 'packages/rnn/src/x.ts', 'tfjsNodeGpu', true],
  ['.', 'packages/cnn/src/x.ts', 'wasmAdapter', true],
  ['.', 'packages/monitor/src/x.ts', 'tfjsCpu', true],
  ['.', 'packages/layers/src/x.ts', 'dynamic', true],
  ['.', 'packages/layers/src/x.ts', 'tfjsCpu', true],
  ['.', 'packages/layers/src/x.ts', 'neutral', false],
  ['.', 'packages/parallel/src/x.ts', 'wasmSubpath', true],
  ['.', 'packages/parallel/src/node/x.ts', 'dynamic', true],
  // Core: same, except that tests (and their vitest setup) may use the tfjs CPU backend.
  ['.', 'packages/core/src/x.ts', 'tfjsCpu', true],
  ['.', 'packages/core/src/x.ts', 'cpu', true],
  ['.', 'packages/core/src/x.test.ts', 'tfjsCpu', false],
  ['.', 'packages/core/vitest.setup.ts', 'tfjsCpu', false],
  ['.', 'packages/core/src/x.test.ts', 'tfjsWasm', true],
  ['.', 'packages/core/src/x.test.ts', 'cpu', true],
  ['.', 'packages/layers/src/x.test.ts', 'tfjsCpu', false],
  ['.', 'packages/layers/src/x.test.ts', 'tfjsNode', true],
  // ...and no other: the rnn learning test that trains on wasm lives in examples/.
  ['.', 'packages/rnn/src/x.test.ts', 'wasmAdapter', true],
  ['.', 'examples/src/x.test.ts', 'wasmAdapter', false],
  // Apps, backend adapters, examples and benches choose backends freely.
  ['.', 'apps/demo/src/x.ts', 'cpu', false],
  ['.', 'apps/demo/src/x.ts', 'tfjsNodeGpu', false],
  ['.', 'packages/backend-cpu/src/x.ts', 'tfjsCpu', false],
  ['.', 'examples/x.ts', 'tfjsWasm', false],
  ['.', 'bench/x.ts', 'cpu', false],
  // A package's own `eslint src` (cwd = the package) finds the root config and applies the rule.
  ['packages/layers', 'src/x.ts', 'cpu', true],
  ['packages/core', 'src/x.test.ts', 'tfjsCpu', false],
  ['apps/demo', 'src/x.ts', 'cpu', false],
];

const engines = new Map();
const engineFor = (cwd) => {
  if (!engines.has(cwd)) engines.set(cwd, new ESLint({ cwd: join(root, cwd) }));
  return engines.get(cwd);
};

let failures = 0;
for (const [cwd, filePath, snippet, expected] of cases) {
  const [result] = await engineFor(cwd).lintText(snippets[snippet], { filePath });
  const messages = result?.messages ?? [];
  const backend = messages.filter((m) => BACKEND_RULES.has(m.ruleId ?? ''));
  const other = messages.filter((m) => !BACKEND_RULES.has(m.ruleId ?? ''));
  const problems = [];
  if (backend.length > 0 !== expected) problems.push(expected ? 'backend import NOT reported' : 'backend import reported');
  if (expected && backend.some((m) => !m.message.includes(WHY))) problems.push('message does not explain why');
  if (other.length > 0) problems.push(`unexpected: ${other.map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`).join('; ')}`);
  const label = `${join(cwd, filePath)} <- ${snippet}: expected ${expected ? 'error' : 'ok'}`;
  if (problems.length > 0) {
    failures++;
    console.error(`FAIL ${label} (${problems.join(', ')})`);
    for (const m of backend) console.error(`     ${m.ruleId}: ${m.message}`);
  } else {
    console.log(`ok   ${label}`);
  }
}

// No import cycles inside a package (import-x/no-cycle). The snippet is linted as if it were the
// file at that path, so an import of a module that imports this path back closes a cycle: core's
// registry.ts imports errors.ts, so errors.ts importing the registry is one. Type-only imports are
// erased at run time and allowed.
const cycleCases = [
  ['packages/core/src/errors.ts', "import { Registry } from './registry';\nexport const r = Registry;\n", true],
  ['packages/core/src/errors.ts', "import type { Registry } from './registry';\nexport type R = Registry;\n", false],
  ['packages/layers/src/options.ts', "import { Dense } from './dense';\nexport const d = Dense;\n", false],
];
for (const [filePath, text, expected] of cycleCases) {
  const [result] = await engineFor('.').lintText(text, { filePath });
  const cycles = (result?.messages ?? []).filter((m) => m.ruleId === 'import-x/no-cycle');
  const label = `${filePath} <- ${JSON.stringify(text.split('\n')[0])}: expected ${expected ? 'a cycle' : 'no cycle'}`;
  if (cycles.length > 0 !== expected) {
    failures++;
    console.error(`FAIL ${label} (${cycles.length} cycle reports)`);
  } else {
    console.log(`ok   ${label}`);
  }
}

const total = cases.length + cycleCases.length;
if (failures > 0) {
  console.error(`\ncheck-lint-rules: ${failures} of ${total} cases failed`);
  process.exit(1);
}
console.log(`\ncheck-lint-rules: all ${total} cases passed`);
