import { formatShape } from './errors';
import type { Shape } from './layer';

/** One row of {@link formatSummary}. */
export interface SummaryRow {
  readonly name: string;
  readonly type: string;
  readonly params: number;
}

/** A table of layers with their output shapes (`shapes[i + 1]` for row `i`) and parameter counts. */
export function formatSummary(shapes: readonly Shape[], layers: readonly SummaryRow[]): string {
  const rows = layers.map((layer, i) => [layer.name, layer.type, formatShape(shapes[i + 1] as Shape), String(layer.params)]);
  const header = ['name', 'type', 'output', 'params'];
  const total = ['total', '', '', String(layers.reduce((n, layer) => n + layer.params, 0))];
  const all = [header, ...rows, total];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] as string).length)));
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c] as number)).join('  ').trimEnd();
  return [`input ${formatShape(shapes[0] as Shape)}`, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), line(total)].join('\n');
}
