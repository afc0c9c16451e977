// The dashboard page's script (bundled for the browser, served as /assets/dashboard.js): reads the
// runs from the JSON API, draws the charts with uPlot, and appends each report the server streams.
// window.__dl4ts exposes the state and the charts, for tests and for the curious.
import type UPlot from 'uplot';
import type { Histogram, RunInfo, StatsReport } from '../stats';

declare global {
  interface Window {
    uPlot: typeof UPlot;
    __dl4ts: DashboardState;
  }
}

interface RunSummary {
  readonly runId: string;
  readonly title: string;
  readonly lastIteration: number;
}

interface DashboardState {
  runs: RunSummary[];
  run: RunInfo | undefined;
  reports: StatsReport[];
  compare: StatsReport[];
  charts: Record<string, UPlot>;
  tab: string;
  layer: string | undefined;
  /** Set once the stream has delivered its backlog and is live. */
  streaming: boolean;
}

const state: DashboardState = { runs: [], run: undefined, reports: [], compare: [], charts: {}, tab: 'overview', layer: undefined, streaming: false };
window.__dl4ts = state;
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
let source: EventSource | undefined;

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path);
  const body = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `${path}: HTTP ${response.status}`);
  return body;
}

function setStatus(): void {
  const last = state.reports.at(-1);
  $('status').textContent = state.run === undefined ? 'no run yet: waiting for one' : `${state.run.title} · ${state.run.modelKind} · ${state.run.totalParams} parameters · backend ${state.run.backend} · ${state.reports.length} reports · iteration ${last?.iteration ?? 0} · ${state.streaming ? 'live' : 'loading'}`;
  const alarms: string[] = [];
  if (last !== undefined && !Number.isFinite(last.score)) alarms.push(`score is ${last.score}`);
  for (const [name, p] of Object.entries(last?.params ?? {})) if (!p.finite) alarms.push(`${name} holds NaN/Inf values${p.nonFinite === undefined ? '' : ` (${p.nonFinite})`}`);
  if (leaking()) alarms.push('tensor count rising at every one of the last 5 reports (a leak?)');
  $('alarms').textContent = alarms.length === 0 ? '' : `Alarm: ${alarms.join('; ')}`;
}

/** The engine's tensor count rose at each of the last five reports. */
function leaking(): boolean {
  const counts = state.reports.slice(-6).map((r) => r.memory.tensors);
  return counts.length === 6 && counts.every((c, i) => i === 0 || c > (counts[i - 1] as number));
}

type Column = (number | null)[];

/** Axis labels that fit: 25k, 0.031, 4e-4. */
function tick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a < 1e-2) return v.toExponential(0);
  return String(+v.toPrecision(3));
}
const axisValues = (_: UPlot, splits: number[]): string[] => splits.map(tick);

function chart(key: string, parent: HTMLElement, title: string, xLabel: string, labels: readonly string[], data: Column[], options: { log?: boolean; bars?: boolean } = {}): void {
  state.charts[key]?.destroy();
  const box = document.createElement('div');
  box.className = 'chart';
  box.dataset.chart = key;
  parent.appendChild(box);
  const bars = options.bars === true ? window.uPlot.paths.bars?.({ size: [0.9, 40] }) : undefined;
  state.charts[key] = new window.uPlot(
    {
      title,
      width: 480,
      height: 260,
      scales: { x: { time: false }, y: options.log === true ? { distr: 3 } : {} },
      // uPlot's own labels on a log axis; ours (which fit) elsewhere.
      axes: [{ label: xLabel, values: axisValues }, { ...(options.log === true ? {} : { values: axisValues }), size: 56 }],
      series: [{ label: xLabel }, ...labels.map((label, i) => ({ label, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true, ...(bars === undefined ? {} : { paths: bars, fill: `${COLORS[i % COLORS.length]}55`, points: { show: false } }) }))],
    },
    data as UPlot.AlignedData,
    box,
  );
}

function ema(values: readonly number[], alpha: number): number[] {
  let s: number | undefined;
  return values.map((v) => (s = s === undefined || !Number.isFinite(s) ? v : alpha * s + (1 - alpha) * v));
}

const trained = (): StatsReport[] => state.reports.filter((r) => r.epochEnd === undefined);
const paramNames = (): string[] => state.run?.layers.flatMap((l) => l.params.map((p) => p.name)) ?? [];

function drawOverview(): void {
  const root = $('overview-charts');
  root.replaceChildren();
  const reports = trained();
  const x = reports.map((r) => r.iteration);
  const score = reports.map((r) => r.score);
  const alpha = Number(($('smoothing') as HTMLSelectElement).value);
  const log = ($('log-score') as HTMLInputElement).checked;
  const labels = ['score', ...(alpha > 0 ? [`smoothed (${alpha})`] : [])];
  const data: Column[] = [x, score, ...(alpha > 0 ? [ema(score, alpha)] : [])];
  const other = state.compare.filter((r) => r.epochEnd === undefined);
  if (other.length > 0) {
    // Compared run on the same iteration axis: union of iterations, null where a run has none.
    const xs = [...new Set([...x, ...other.map((r) => r.iteration)])].sort((a, b) => a - b);
    const at = (list: StatsReport[]) => new Map(list.map((r) => [r.iteration, r.score]));
    const mine = at(reports);
    const theirs = at(other);
    chart('score', root, 'Score (minibatch)', 'iteration', ['score', `compared: ${($('compare') as HTMLSelectElement).value}`], [xs, xs.map((i) => mine.get(i) ?? null), xs.map((i) => theirs.get(i) ?? null)], { log });
  } else {
    chart('score', root, 'Score (minibatch)', 'iteration', labels, data, { log });
  }
  const epochs = state.reports.filter((r) => r.epochEnd !== undefined);
  if (epochs.length > 0) {
    chart('epochs', root, 'Score per epoch', 'epoch', ['training (mean)', 'validation'], [epochs.map((r) => r.epoch), epochs.map((r) => r.epochEnd?.meanScore ?? null), epochs.map((r) => r.epochEnd?.validationScore ?? null)]);
  }
  const names = paramNames();
  chart('ratios', root, 'log10 update:parameter ratio', 'iteration', names, [x, ...names.map((n) => reports.map((r) => r.params[n]?.log10UpdateRatio ?? null))]);
  chart('throughput', root, 'Examples per second', 'iteration', ['examples/s'], [x, reports.map((r) => r.examplesPerSecond ?? null)]);
  const weights = names.filter((n) => reports.some((r) => r.params[n]?.learningRate !== undefined));
  chart('learning-rate', root, 'Learning rate', 'iteration', weights, [x, ...weights.map((n) => reports.map((r) => r.params[n]?.learningRate ?? null))], { log: true });
}

function histogramColumns(h: Histogram | undefined): [Column, Column] {
  if (h === undefined) return [[], []];
  const width = (h.max - h.min) / h.counts.length;
  return [h.counts.map((_, i) => h.min + (i + 0.5) * width), [...h.counts]];
}

function drawLayers(): void {
  const run = state.run;
  const root = $('layer-charts');
  root.replaceChildren();
  if (run === undefined) return;
  const select = $('layer') as HTMLSelectElement;
  if (select.options.length !== run.layers.length) select.replaceChildren(...run.layers.map((l) => new Option(`${l.name} (${l.type})`, l.name)));
  state.layer = select.value || run.layers[0]?.name;
  const layer = run.layers.find((l) => l.name === state.layer);
  if (layer === undefined) return;
  const reports = trained();
  const x = reports.map((r) => r.iteration);
  const names = layer.params.map((p) => p.name);
  chart('magnitudes', root, `${layer.name}: magnitudes (root mean squares)`, 'iteration', names.flatMap((n) => [`|${n}|`, `|Δ${n}|`, `|∇${n}|`]), [x, ...names.flatMap((n) => [reports.map((r) => r.params[n]?.meanMagnitude ?? null), reports.map((r) => r.params[n]?.updateMeanMagnitude ?? null), reports.map((r) => r.params[n]?.gradientMeanMagnitude ?? null)])], { log: true });
  const withActivations = reports.filter((r) => r.activations?.[layer.name] !== undefined);
  if (withActivations.length > 0) {
    const a = (r: StatsReport) => r.activations?.[layer.name];
    chart('activation', root, `${layer.name}: activations on the probe`, 'iteration', ['mean', 'std', 'zero fraction'], [withActivations.map((r) => r.iteration), withActivations.map((r) => a(r)?.mean ?? null), withActivations.map((r) => a(r)?.std ?? null), withActivations.map((r) => a(r)?.zeroFraction ?? null)]);
  }
  // Histograms of one report: the slider walks the reports that carry them.
  const withHistograms = reports.filter((r) => names.some((n) => r.params[n]?.histogram !== undefined));
  const slider = $('histogram-step') as HTMLInputElement;
  const wasAtEnd = Number(slider.value) >= Number(slider.max);
  slider.max = String(Math.max(0, withHistograms.length - 1));
  if (wasAtEnd) slider.value = slider.max;
  const shown = withHistograms[Number(slider.value)];
  $('histogram-iteration').textContent = shown === undefined ? '(none yet)' : String(shown.iteration);
  if (shown === undefined) return;
  for (const n of names) {
    const p = shown.params[n];
    chart(`histogram:${n}`, root, `${n} values, iteration ${shown.iteration}`, 'value', ['count'], histogramColumns(p?.histogram), { bars: true });
    if (p?.updateHistogram !== undefined) chart(`update-histogram:${n}`, root, `${n} updates, iteration ${shown.iteration}`, 'update', ['count'], histogramColumns(p.updateHistogram), { bars: true });
    if (p?.gradientHistogram !== undefined) chart(`gradient-histogram:${n}`, root, `${n} gradients, iteration ${shown.iteration}`, 'gradient', ['count'], histogramColumns(p.gradientHistogram), { bars: true });
  }
  const activation = shown.activations?.[layer.name];
  if (activation !== undefined) chart(`activation-histogram:${layer.name}`, root, `${layer.name} outputs on the probe, iteration ${shown.iteration}`, 'output', ['count'], histogramColumns(activation.histogram), { bars: true });
}

function drawModel(): void {
  const run = state.run;
  if (run === undefined) return;
  const table = document.createElement('table');
  table.innerHTML = '<tr><th>layer</th><th>type</th><th>parameters</th><th>count</th></tr>';
  for (const layer of run.layers) {
    const row = table.insertRow();
    const cells = [layer.name, layer.type, layer.params.map((p) => `${p.name} [${p.shape.join(', ')}]`).join(', ') || '-', String(layer.params.reduce((s, p) => s + p.count, 0))];
    for (const text of cells) row.insertCell().textContent = text;
    row.dataset.layer = layer.name;
    row.style.cursor = 'pointer';
    row.onclick = () => {
      ($('layer') as HTMLSelectElement).value = layer.name;
      showTab('layers');
    };
  }
  $('model-table').replaceChildren(table);
  $('model-config').textContent = JSON.stringify(run.config, null, 2);
}

function drawSystem(): void {
  const run = state.run;
  const root = $('system-charts');
  root.replaceChildren();
  if (run === undefined) return;
  const reports = state.reports;
  $('system-info').textContent = `backend ${run.backend} · host ${run.host.hostname} (pid ${run.host.pid}, Node ${run.host.node}) · started ${run.startedAt}`;
  // The parallel and distributed trainers: each worker's last window, and round times over time.
  const windows = reports.filter((r) => r.workers !== undefined);
  const last = windows.at(-1);
  if (last?.workers !== undefined) {
    const table = document.createElement('table');
    table.id = 'workers';
    table.innerHTML = '<tr><th>worker</th><th>examples in the last window</th><th>mean score</th><th>round time, ms</th><th>heartbeat age, ms</th></tr>';
    for (const w of last.workers) {
      const row = table.insertRow();
      for (const text of [String(w.worker), String(w.examples), Number.isFinite(w.meanScore) ? w.meanScore.toFixed(4) : '-', w.roundMs.toFixed(1), w.heartbeatAgeMs.toFixed(1)]) row.insertCell().textContent = text;
    }
    root.appendChild(table);
    const ids = [...new Set(windows.flatMap((r) => (r.workers ?? []).map((w) => w.worker)))].sort((a, b) => a - b);
    chart('round-times', root, 'Round time per worker, ms (last averaging window before each report)', 'iteration', [...ids.map((id) => `worker ${id}`), 'window'], [windows.map((r) => r.iteration), ...ids.map((id) => windows.map((r) => r.workers?.find((w) => w.worker === id)?.roundMs ?? null)), windows.map((r) => r.windowMs ?? null)]);
  }
  const x = reports.map((r) => r.iteration);
  const mb = (v: number) => v / 2 ** 20;
  chart('memory', root, 'Memory, MiB', 'iteration', ['RSS', 'V8 heap', 'tensors'], [x, reports.map((r) => mb(r.memory.rssBytes)), reports.map((r) => mb(r.memory.heapUsedBytes)), reports.map((r) => mb(r.memory.tensorBytes))]);
  chart('tensors', root, 'Tensors alive', 'iteration', ['tensors'], [x, reports.map((r) => r.memory.tensors)]);
}

function draw(): void {
  setStatus();
  if (state.tab === 'overview') drawOverview();
  else if (state.tab === 'layers') drawLayers();
  else if (state.tab === 'model') drawModel();
  else drawSystem();
}

function showTab(tab: string): void {
  state.tab = tab;
  for (const button of Array.from(document.querySelectorAll<HTMLButtonElement>('#tabs button'))) button.classList.toggle('active', button.dataset.tab === tab);
  for (const section of Array.from(document.querySelectorAll<HTMLElement>('section.tab'))) section.classList.toggle('active', section.id === `tab-${tab}`);
  draw();
}

let pendingDraw = false;
function scheduleDraw(): void {
  if (pendingDraw) return;
  pendingDraw = true;
  setTimeout(() => {
    pendingDraw = false;
    draw();
  }, 250);
}

function fillRunPickers(): void {
  const current = state.run?.runId;
  for (const id of ['run', 'compare']) {
    const select = $(id) as HTMLSelectElement;
    const keep = select.value;
    const options = state.runs.map((r) => new Option(r.title === r.runId ? r.runId : `${r.title} (${r.runId})`, r.runId));
    select.replaceChildren(...(id === 'compare' ? [new Option('(none)', ''), ...options.filter((o) => o.value !== current)] : options));
    select.value = id === 'run' ? (current ?? '') : keep;
  }
}

function listen(runId: string | undefined): void {
  source?.close();
  const after = state.reports.at(-1)?.iteration;
  source = new EventSource(`/api/stream?${new URLSearchParams({ ...(runId === undefined ? {} : { run: runId }), ...(after === undefined ? {} : { after: String(after) }) })}`);
  source.addEventListener('open', () => {
    state.streaming = true;
    setStatus();
  });
  source.addEventListener('report', (e) => {
    const report = JSON.parse((e as MessageEvent<string>).data) as StatsReport;
    if (report.runId !== state.run?.runId || (state.reports.at(-1)?.iteration ?? -1) > report.iteration) return;
    state.reports.push(report);
    scheduleDraw();
  });
  source.addEventListener('run', (e) => {
    const run = JSON.parse((e as MessageEvent<string>).data) as RunInfo;
    if (state.runs.some((r) => r.runId === run.runId)) return;
    state.runs.push({ runId: run.runId, title: run.title, lastIteration: 0 });
    fillRunPickers();
    if (state.run === undefined) void open(run.runId);
  });
}

async function open(runId: string): Promise<void> {
  $('error').textContent = '';
  try {
    state.run = await getJson<RunInfo>(`/api/runs/${encodeURIComponent(runId)}`);
    state.reports = await getJson<StatsReport[]>(`/api/runs/${encodeURIComponent(runId)}/reports`);
    state.compare = [];
    ($('compare') as HTMLSelectElement).value = '';
    (document.getElementById('layer') as HTMLSelectElement).replaceChildren();
    history.replaceState(null, '', `?run=${encodeURIComponent(runId)}`);
    fillRunPickers();
    listen(runId);
    draw();
  } catch (error) {
    state.run = undefined;
    $('error').textContent = (error as Error).message;
    $('status').textContent = '';
  }
}

async function start(): Promise<void> {
  for (const button of Array.from(document.querySelectorAll<HTMLButtonElement>('#tabs button'))) button.onclick = () => showTab(button.dataset.tab as string);
  $('run').onchange = () => void open(($('run') as HTMLSelectElement).value);
  $('compare').onchange = async () => {
    const other = ($('compare') as HTMLSelectElement).value;
    state.compare = other === '' ? [] : await getJson<StatsReport[]>(`/api/runs/${encodeURIComponent(other)}/reports`);
    draw();
  };
  for (const id of ['log-score', 'smoothing', 'layer', 'histogram-step']) $(id).oninput = () => draw();
  state.runs = await getJson<RunSummary[]>('/api/runs');
  const wanted = new URLSearchParams(location.search).get('run') ?? state.runs.at(-1)?.runId;
  fillRunPickers();
  if (wanted === undefined) {
    setStatus();
    listen(undefined);
  } else {
    await open(wanted);
  }
}

void start();
