// The dashboard's one HTML page: the frame (run picker, tabs, alarm line, chart areas). The
// script (`client/dashboard.ts`, bundled for the browser) fills it from the JSON API and the stream.

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #222; background: #fafafa; }
header { display: flex; gap: 16px; align-items: center; padding: 10px 20px; background: #1f2d3d; color: #fff; flex-wrap: wrap; }
header h1 { font-size: 18px; margin: 0 12px 0 0; }
header select { font-size: 14px; }
nav button { background: none; border: 0; color: #cfd8e3; font-size: 14px; padding: 6px 10px; cursor: pointer; }
nav button.active { color: #fff; border-bottom: 2px solid #7fb3ff; }
main { padding: 16px 20px; }
#status { color: #555; margin: 0 0 8px; }
#error { color: #b00020; font-weight: 600; }
#alarms { color: #b00020; font-weight: 600; }
section.tab { display: none; }
section.tab.active { display: block; }
.chart { display: inline-block; vertical-align: top; margin: 0 16px 16px 0; background: #fff; padding: 6px; border: 1px solid #e3e3e3; }
.controls { margin: 0 0 10px; display: flex; gap: 14px; align-items: center; flex-wrap: wrap; }
table { border-collapse: collapse; background: #fff; }
td, th { border: 1px solid #ddd; padding: 4px 8px; text-align: left; }
pre { background: #fff; border: 1px solid #ddd; padding: 8px; overflow: auto; max-height: 480px; }
`;

/** The page; every dynamic part comes from the API, so nothing here depends on a run. */
export function renderDashboardHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dl4ts training dashboard</title>
<link rel="stylesheet" href="/assets/uplot.css">
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>dl4ts</h1>
  <label>run <select id="run"></select></label>
  <label>compare with <select id="compare"><option value="">(none)</option></select></label>
  <nav id="tabs">
    <button data-tab="overview" class="active">Overview</button>
    <button data-tab="layers">Layers</button>
    <button data-tab="model">Model</button>
    <button data-tab="system">System</button>
  </nav>
</header>
<main>
  <p id="status">loading</p>
  <p id="error"></p>
  <p id="alarms"></p>
  <section class="tab active" id="tab-overview">
    <div class="controls">
      <label><input type="checkbox" id="log-score"> log scale</label>
      <label>smoothing <select id="smoothing"><option value="0">none</option><option value="0.6" selected>0.6</option><option value="0.9">0.9</option><option value="0.98">0.98</option></select></label>
    </div>
    <div id="overview-charts"></div>
  </section>
  <section class="tab" id="tab-layers">
    <div class="controls">
      <label>layer <select id="layer"></select></label>
      <label>histograms at iteration <input type="range" id="histogram-step" min="0" max="0" value="0"> <span id="histogram-iteration"></span></label>
    </div>
    <div id="layer-charts"></div>
  </section>
  <section class="tab" id="tab-model">
    <div id="model-table"></div>
    <h3>Configuration</h3>
    <pre id="model-config"></pre>
  </section>
  <section class="tab" id="tab-system">
    <div id="system-info"></div>
    <div id="system-charts"></div>
  </section>
</main>
<script src="/assets/uplot.js"></script>
<script src="/assets/dashboard.js"></script>
</body>
</html>
`;
}
