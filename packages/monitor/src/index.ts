export type { ProgressBarOptions, ProgressStream } from './progress-bar';
export { ProgressBarListener } from './progress-bar';
export type { ChartOptions } from './chart';
export { ChartListener, loadUplotAssets } from './chart';
export type { ChartAssets, ChartData, RenderOptions } from './chart-html';
export { renderChartHtml } from './chart-html';
export type { HeldOutData, HeldOutOptions, HeldOutResult } from './held-out';
export { evaluateHeldOut } from './held-out';
