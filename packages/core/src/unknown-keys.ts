import { ConfigError } from './errors';

/** Edit distance with adjacent transpositions (optimal string alignment), for "did you mean" suggestions. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const above = rows[i - 1] as number[];
      let best = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      row.push(best);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}

/**
 * The known key closest to `name`: equal up to case, or within a third of its length in edits
 * (at least one), the nearest first; undefined when none is that close.
 */
export function closestKey(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(name.length / 3));
  for (const key of known) {
    const distance = key.toLowerCase() === lower ? 0 : editDistance(lower, key.toLowerCase());
    if (distance < bestDistance || (distance === bestDistance && best === undefined)) {
      best = key;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Throws a {@link ConfigError} for the first key of `config` that is not `type` or in `known`:
 * `<where>: unknown option "activaton"; did you mean "activation"? It takes ...`. `hints` adds a
 * sentence for keys users put in the wrong place (`epochs` belongs to `fit`).
 */
export function rejectUnknownKeys(where: string, config: object, known: readonly string[], hints: Readonly<Record<string, string>> = {}): void {
  const unknown = Object.keys(config).filter((k) => k !== 'type' && !known.includes(k));
  const key = unknown[0];
  if (key === undefined) return;
  const guess = closestKey(key, [...known, ...Object.keys(hints)]);
  const hint = hints[key] ?? (guess !== undefined ? hints[guess] : undefined);
  const suggestion = guess !== undefined && guess !== key ? `; did you mean "${guess}"?` : '';
  const more = unknown.length > 1 ? ` (also unknown: ${unknown.slice(1).map((k) => `"${k}"`).join(', ')})` : '';
  const takes = known.length === 0 ? 'It takes no options' : `It takes ${[...known].sort().join(', ')}`;
  throw new ConfigError(`${where}: unknown option "${key}"${more}${suggestion === '' ? '.' : suggestion} ${hint ?? takes}`);
}
