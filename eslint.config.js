// ESLint flat config for the whole monorepo (root `eslint .` and each package's `eslint src`:
// ESLint 9 looks for this file from the cwd upward, and the `files` globs below are resolved
// relative to this file's directory, so they match from either place).
//
// Deliberately not type-aware (no parserOptions.project): it has to stay fast.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

// ---------------------------------------------------------------------------------------------
// Architecture rule: component packages are backend-neutral.
// ---------------------------------------------------------------------------------------------
const BACKEND_MESSAGE =
  'Backend packages are off limits here: component packages stay backend-neutral; ' +
  'only apps, examples, benches and tests choose a backend.';

/** gitignore-style groups for no-restricted-imports (a matched package also covers its subpaths). */
const BACKEND_GROUPS = ['@dl4ts/backend-*', '@tensorflow/tfjs-backend-*', '@tensorflow/tfjs-node*'];

/** The same packages as one regex, for dynamic import() and require(), which no-restricted-imports misses. */
const BACKEND_RE = String.raw`/^(@dl4ts\u002Fbackend-|@tensorflow\u002Ftfjs-backend-|@tensorflow\u002Ftfjs-node)/`;
const BACKEND_RE_EXCEPT_CPU = String.raw`/^(@dl4ts\u002Fbackend-|@tensorflow\u002Ftfjs-backend-(?!cpu(\u002F|$))|@tensorflow\u002Ftfjs-node)/`;

const restrictBackends = (groups, re) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: groups, message: BACKEND_MESSAGE }] }],
  'no-restricted-syntax': [
    'error',
    { selector: `ImportExpression > Literal[value=${re}]`, message: BACKEND_MESSAGE },
    {
      selector: `CallExpression[callee.name='require'] > Literal.arguments[value=${re}]`,
      message: BACKEND_MESSAGE,
    },
  ],
});

// Monitors are neutral too: they observe training on whatever backend the app chose.
const COMPONENT_PACKAGES = ['layers', 'losses', 'updaters', 'rbm', 'rnn', 'cnn', 'monitor'];
// The parallel trainer's workers activate the backend the application names (a module specifier
// option, imported at run time), so the package itself imports none either.
const NEUTRAL_PACKAGE_FILES = ['core', ...COMPONENT_PACKAGES, 'parallel'].map((p) => `packages/${p}/**`);

// Tests (with the vitest setup file that every test of a package loads, and the `*.fixture.ts`
// scripts that tests run as their own Node processes) run on a real engine, so they may pull in the
// pure-JS CPU backend — that one only; every other backend stays forbidden.
const TEST_FILES = ['**/*.test.ts', '**/*.test-d.ts', '**/*.fixture.ts', '**/vitest.setup.ts'];

/** Globals for plain Node scripts (.js/.mjs/.cjs); TypeScript files get no-undef turned off instead. */
const NODE_GLOBALS = Object.fromEntries(
  [
    'process', 'console', 'Buffer', 'URL', 'URLSearchParams', 'TextEncoder', 'TextDecoder',
    'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate',
    'queueMicrotask', 'structuredClone', 'globalThis', 'performance', 'fetch', 'AbortController',
  ].map((name) => [name, 'readonly']),
);

export default defineConfig(
  {
    name: 'dl4ts/ignores',
    ignores: ['**/dist/**', '**/gen/**', '**/node_modules/**', '**/coverage/**', '**/.turbo/**'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    name: 'dl4ts/base',
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
    },
  },
  {
    // No import cycles inside a package: a module graph that runs one way can be read, tested and
    // split. Type-only imports are erased and do not count.
    name: 'dl4ts/no-import-cycles',
    files: ['packages/*/src/**/*.ts', 'apps/*/src/**/*.ts', 'examples/**/src/**/*.ts', 'bench/src/**/*.ts', 'tests/*/src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] })],
      // The modules an import leads to are parsed as TypeScript too, so the graph can be followed.
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    name: 'dl4ts/node-scripts',
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: NODE_GLOBALS },
  },
  {
    name: 'dl4ts/backend-neutral-packages',
    files: NEUTRAL_PACKAGE_FILES,
    rules: restrictBackends(BACKEND_GROUPS, BACKEND_RE),
  },
  {
    name: 'dl4ts/backend-neutral-packages/tests-may-use-cpu',
    files: NEUTRAL_PACKAGE_FILES.flatMap((dir) => TEST_FILES.map((t) => `${dir.slice(0, -3)}/${t}`)),
    rules: restrictBackends([...BACKEND_GROUPS, '!@tensorflow/tfjs-backend-cpu'], BACKEND_RE_EXCEPT_CPU),
  },
);
