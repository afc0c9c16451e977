/** What {@link ChartListener} collects during training; arrays of one epoch are aligned. */
export interface ChartData {
  /** Page title, as given (escaped when rendered). */
  readonly title: string;
  /** Iteration (network counter, 1-based) of each training loss read. */
  readonly iterations: readonly number[];
  /** Minibatch loss read at each of `iterations`. */
  readonly losses: readonly number[];
  /** Completed epochs (network counter, 1-based). */
  readonly epochs: readonly number[];
  /** Iteration at the end of each epoch, to place the epoch means on the iteration axis. */
  readonly epochIterations: readonly number[];
  /** Mean minibatch loss of each epoch. */
  readonly epochLosses: readonly number[];
  /** Validation loss of each epoch; empty without validation data. */
  readonly validationLosses: readonly number[];
  /** Validation accuracy of each epoch, null where not computed; empty without validation data. */
  readonly validationAccuracies: readonly (number | null)[];
  /** True once `fit` has ended. */
  readonly finished: boolean;
  /** When the data was last written, ISO 8601. */
  readonly updated: string;
}

/** uPlot's browser script and stylesheet, inlined into the page. */
export interface ChartAssets {
  readonly script: string;
  readonly style: string;
}

/** Options of {@link renderChartHtml}. */
export interface RenderOptions {
  /** While training runs, ask the browser to reload the page every this many seconds; 0: never. */
  readonly refreshSeconds?: number;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

/**
 * JSON that is safe inside a `<script>` element: `<`, `>` and `&` as `\u` escapes, so no
 * `</script>` or `<!--` can end or change the element; U+2028/2029 escaped for old parsers.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Keeps inlined library text from closing its own element early. */
function inlineSafe(text: string, tag: 'script' | 'style'): string {
  return text.replace(new RegExp(`</(${tag})`, 'gi'), '<\\/$1');
}

// Runs in the page. Builds the charts from the embedded data and exposes the uPlot instances as
// window.__dl4tsCharts, so that tests (and curious users) can inspect them.
const PAGE_SCRIPT = String.raw`
(() => {
  const data = JSON.parse(document.getElementById('dl4ts-data').textContent);
  const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
  const root = document.getElementById('charts');
  const width = () => Math.max(320, Math.min(1000, document.documentElement.clientWidth - 48));
  // Iterations and epochs are whole numbers: ticks at 1, 2, 5, 10, 20, ... only.
  const wholeSteps = [];
  for (let p = 1; p <= 1e9; p *= 10) wholeSteps.push(p, 2 * p, 5 * p);
  // spanGaps: where the iteration axis has a point of the other series, draw through it.
  const line = (label, color) => ({ label, stroke: color, width: 2, spanGaps: true, points: { show: true, size: 7, width: 1, fill: color, stroke: color } });
  const chart = (title, xLabel, yLabel, x, series, yRange) => {
    const box = document.createElement('section');
    root.appendChild(box);
    const y = yRange === undefined ? { auto: true } : { auto: false, range: yRange };
    return new uPlot({
      title, width: width(), height: 300,
      scales: { x: { time: false }, y },
      axes: [{ label: xLabel, incrs: wholeSteps }, { label: yLabel }],
      series: [{ label: xLabel }].concat(series.map((s) => s.options)),
    }, [x].concat(series.map((s) => s.values)), box);
  };
  // Loss per iteration: minibatch reads and epoch means share one x axis (uPlot wants aligned
  // columns), each null where only the other has a point.
  const xs = Array.from(new Set(data.iterations.concat(data.epochIterations))).sort((a, b) => a - b);
  const column = (keys, values) => { const at = new Map(keys.map((k, i) => [k, values[i]])); return xs.map((x) => at.has(x) ? at.get(x) : null); };
  const charts = [chart('Training loss per iteration', 'iteration', 'loss', xs, [
    { options: line('minibatch loss', colors[0]), values: column(data.iterations, data.losses) },
    { options: line('epoch mean', colors[1]), values: column(data.epochIterations, data.epochLosses) },
  ])];
  const perEpoch = [{ options: line('training (epoch mean)', colors[0]), values: data.epochLosses }];
  if (data.validationLosses.length > 0) perEpoch.push({ options: line('validation', colors[2]), values: data.validationLosses });
  charts.push(chart('Loss per epoch', 'epoch', 'loss', data.epochs, perEpoch));
  if (data.validationAccuracies.some((a) => a !== null)) {
    charts.push(chart('Validation accuracy per epoch', 'epoch', 'accuracy', data.epochs, [
      { options: line('validation accuracy', colors[3]), values: data.validationAccuracies },
    ], [0, 1]));
  }
  const last = data.losses.length > 0 ? data.losses[data.losses.length - 1] : null;
  document.getElementById('status').textContent = [
    data.finished ? 'finished' : 'training',
    'epochs ' + data.epochs.length,
    'last minibatch loss ' + (last === null ? '-' : Number(last).toPrecision(5)),
    'updated ' + new Date(data.updated).toLocaleString(),
  ].join(' \u00b7 ');
  window.__dl4tsCharts = charts;
  window.__dl4tsData = data;
})();
`;

/**
 * Renders the training charts as one self-contained HTML page: uPlot and its stylesheet inlined,
 * the data embedded as JSON, nothing fetched from the network. Charts: loss per iteration (with the
 * epoch means), loss per epoch (training and validation), validation accuracy per epoch (when any).
 *
 * @example
 * ```ts
 * await writeFile('chart.html', renderChartHtml(listener.data, await loadUplotAssets()));
 * ```
 */
export function renderChartHtml(data: ChartData, assets: ChartAssets, options: RenderOptions = {}): string {
  const title = escapeHtml(data.title);
  const refresh = options.refreshSeconds ?? 0;
  const meta = refresh > 0 && !data.finished ? `\n<meta http-equiv="refresh" content="${Math.round(refresh)}">` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">${meta}
<title>${title}</title>
<style>${inlineSafe(assets.style, 'style')}</style>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; }
#status { color: #555; margin-bottom: 16px; }
section { margin-bottom: 24px; }
</style>
</head>
<body>
<h1>${title}</h1>
<div id="status"></div>
<div id="charts"></div>
<script type="application/json" id="dl4ts-data">${scriptJson(data)}</script>
<script>${inlineSafe(assets.script, 'script')}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
