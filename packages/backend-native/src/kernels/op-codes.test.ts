import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NATIVE_ENUMS, UPDATER_RULE_STATES, nativeCode } from './op-codes';

const native = (file: string) => readFileSync(new URL(`../../native/${file}`, import.meta.url), 'utf8');

/** The enumerators of `enum <name> { ... }` in C++ source, `k` prefix dropped; explicit values must equal their position. */
function cppEnum(source: string, name: string): string[] {
  const body = new RegExp(`enum\\s+${name}\\s*\\{([^}]*)\\}`).exec(source)?.[1];
  if (body === undefined) throw new Error(`enum ${name} not found`);
  return body
    .split(',')
    .map((entry) => entry.replace(/\/\/.*$/gm, '').trim())
    .filter((entry) => entry !== '')
    .map((entry, index) => {
      const [label, value] = entry.split('=').map((s) => s.trim()) as [string, string | undefined];
      if (value !== undefined && Number(value) !== index) throw new Error(`enum ${name}: ${label} = ${value} at position ${index}`);
      if (!label.startsWith('k')) throw new Error(`enum ${name}: ${label} lacks the k prefix`);
      return label.slice(1);
    });
}

describe('native op codes', () => {
  for (const [key, { file, name, values }] of Object.entries(NATIVE_ENUMS)) {
    it(`${key}: the TypeScript list is native/${file}'s enum ${name}, in order`, () => {
      expect(cppEnum(native(file), name)).toEqual(values);
    });
  }

  it("updater rules: the state counts are updaters.cc's kStates[], in the Rule enum's order", () => {
    const states = /kStates\[\]\s*=\s*\{([^}]*)\}/.exec(native('updaters.cc'))?.[1]?.split(',').map((s) => Number(s.trim()));
    expect(states).toEqual(NATIVE_ENUMS.updaterRule.values.map((rule) => UPDATER_RULE_STATES[rule]));
  });

  it('fails on a list that differs from its enum (the check can fail)', () => {
    expect(cppEnum('enum Op { kA = 0, kB, kC };', 'Op')).toEqual(['A', 'B', 'C']);
    expect(cppEnum('enum Op { kA = 0, kC, kB };', 'Op')).not.toEqual(['A', 'B', 'C']);
    expect(() => cppEnum('enum Op { kA = 0, kB = 2 };', 'Op')).toThrow('kB = 2 at position 1');
    expect(nativeCode('unary', 'Erf')).toBe(24);
  });
});
