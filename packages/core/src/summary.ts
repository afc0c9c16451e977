import type { BuiltModel } from './built-model';
import { formatShape } from './errors';

/**
 * A table of the model's nodes in order, with their type, output shape and parameter count; a
 * graph's table also names each node's inputs. The header line gives the inputs' shapes.
 */
export function formatSummary(model: BuiltModel): string {
  const graph = !(model.inputs.length === 1 && model.nodes.every((n, j) => n.inputs.length === 1 && n.inputs[0] === j));
  const valueName = (v: number) => (v < model.inputs.length ? model.inputs[v]?.name : model.nodes[v - model.inputs.length]?.name) as string;
  const rows = model.nodes.map((node) => {
    const type = node.layer?.key ?? node.vertex?.key ?? '';
    const params = node.layer === undefined ? 0 : model.params.count(node.name);
    return [node.name, type, ...(graph ? [node.inputs.map(valueName).join(', ')] : []), formatShape(node.shape), String(params)];
  });
  const header = ['name', 'type', ...(graph ? ['inputs'] : []), 'output', 'params'];
  const total = ['total', '', ...(graph ? [''] : []), '', String(model.params.count())];
  const all = [header, ...rows, total];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] as string).length)));
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c] as number)).join('  ').trimEnd();
  const inputs = graph ? model.inputs.map((i) => `input "${i.name}" ${formatShape(i.shape)}`).join(', ') : `input ${formatShape((model.inputs[0] as { shape: readonly number[] }).shape)}`;
  return [inputs, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), line(total)].join('\n');
}
