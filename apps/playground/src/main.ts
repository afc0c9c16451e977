// The playground page: picks a backend (WebGPU where the browser has it, else wasm, else cpu),
// trains a small network on spirals with live charts, saves the model as a file and loads it back.
// window.__playground holds what happened, for the browser test.
import * as tf from '@tensorflow/tfjs-core';
import { Evaluation, Network, Registry, Rng, deserializeModel, registerGradients, serializeModel } from '@dl4ts/core';
import type { DataSet, NetworkConfig } from '@dl4ts/core';
import { selectAutoBackend } from '@dl4ts/backend-auto';
import { registerLayers } from '@dl4ts/layers';
import { registerLosses } from '@dl4ts/losses';
import { registerUpdaters } from '@dl4ts/updaters';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { spirals } from './spirals';

interface PlaygroundState {
  backend?: string;
  epochs: number[];
  losses: number[];
  accuracies: (number | null)[];
  /** Held-out accuracy after training. */
  accuracy?: number;
  trained: boolean;
  savedBytes?: number;
  /** Held-out accuracy of the model loaded from a file, and its largest output difference from the trained one. */
  loadedAccuracy?: number;
  loadedMaxDifference?: number;
  error?: string;
}

declare global {
  interface Window {
    __playground: PlaygroundState;
  }
}

const TARGET = 0.95;
const state: PlaygroundState = { epochs: [], losses: [], accuracies: [], trained: false };
window.__playground = state;
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const registry = registerUpdaters(registerLosses(registerLayers(new Registry())));
const config: NetworkConfig = {
  seed: 7,
  input: 2,
  defaults: { activation: 'relu', weightInit: 'relu', updater: { type: 'updaters/adam', learningRate: 0.01 } },
  layers: [
    { type: 'layers/dense', nOut: 64 },
    { type: 'layers/dense', nOut: 64 },
    { type: 'layers/output', nOut: 3, activation: 'softmax', loss: 'mcxent', weightInit: 'xavier' },
  ],
};

async function accuracyOf(net: Network, data: DataSet): Promise<number> {
  const output = net.output(data.features);
  const evaluation = await new Evaluation(3).eval(data.labels, output);
  output.dispose();
  return evaluation.accuracy();
}

function fail(error: unknown): void {
  state.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  $('status').textContent = state.error;
}

async function main(): Promise<void> {
  // A folder URL beside the page: the build copies tfjs-backend-wasm's binaries there.
  const chosen = await selectAutoBackend('auto', { wasm: { wasmPaths: new URL('./tfjs-wasm/', location.href).href } });
  await registerGradients();
  state.backend = chosen.name;
  $('backend').textContent = chosen.name;
  $('skipped').textContent = chosen.skipped.length === 0 ? '' : `(skipped: ${chosen.skipped.map((s) => `${s.name}: ${s.reason.split('\n')[0]}`).join('; ')})`;

  const all = spirals(300, 0.2, 1);
  const { train, test } = all.split(2 / 3, new Rng(2));
  all.dispose();
  let net: Network | undefined;
  const chart = new uPlot(
    {
      title: 'Training loss and held-out accuracy per epoch',
      width: Math.min(820, document.body.clientWidth),
      height: 300,
      scales: { x: { time: false }, acc: { range: [0, 1] } },
      axes: [{ label: 'epoch' }, { label: 'loss' }, { scale: 'acc', side: 1, label: 'accuracy', grid: { show: false } }],
      series: [{ label: 'epoch' }, { label: 'loss', stroke: '#1f77b4', width: 2 }, { label: 'held-out accuracy', stroke: '#2ca02c', width: 2, scale: 'acc', spanGaps: true }],
    },
    [[], [], []],
    $('chart'),
  );

  $('train').onclick = async () => {
    ($('train') as HTMLButtonElement).disabled = true;
    try {
      net?.dispose();
      net = new Network(config, { registry }).init();
      Object.assign(state, { epochs: [], losses: [], accuracies: [], trained: false });
      const epochs = Number(($('epochs') as HTMLInputElement).value);
      const current = net;
      await current.fit(train, {
        epochs,
        batchSize: 32,
        listeners: [
          {
            onEpochEnd: async ({ epoch, meanScore }) => {
              state.epochs.push(epoch);
              state.losses.push(meanScore);
              state.accuracies.push(epoch % 5 === 0 || epoch === epochs ? await accuracyOf(current, test) : null);
              if (epoch % 5 === 0 || epoch === epochs) {
                chart.setData([state.epochs, state.losses, state.accuracies]);
                $('status').textContent = `epoch ${epoch} of ${epochs}: loss ${meanScore.toFixed(4)}`;
                await new Promise((resolve) => setTimeout(resolve, 0)); // let the page draw
              }
            },
          },
        ],
      });
      state.accuracy = await accuracyOf(current, test);
      state.trained = true;
      const met = state.accuracy >= TARGET ? 'target met' : 'below the target';
      $('status').textContent = `trained ${epochs} epochs on ${chosen.name}: held-out accuracy ${(100 * state.accuracy).toFixed(1)}% (${met}; target ${100 * TARGET}%)`;
      ($('save') as HTMLButtonElement).disabled = false;
    } catch (error) {
      fail(error);
    } finally {
      ($('train') as HTMLButtonElement).disabled = false;
    }
  };

  $('save').onclick = async () => {
    if (net === undefined) return;
    const bytes = await serializeModel(net);
    state.savedBytes = bytes.length;
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([new Uint8Array(bytes)], { type: 'application/octet-stream' }));
    link.download = 'spirals.safetensors';
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  };

  $('load').onchange = async () => {
    const file = ($('load') as HTMLInputElement).files?.[0];
    if (file === undefined) return;
    try {
      const { network: loaded } = deserializeModel(new Uint8Array(await file.arrayBuffer()), { registry });
      state.loadedAccuracy = await accuracyOf(loaded, test);
      if (net !== undefined) {
        const [a, b] = [net.output(test.features), loaded.output(test.features)];
        const difference = tf.max(tf.abs(tf.sub(a, b)));
        state.loadedMaxDifference = (await difference.data())[0] as number;
        tf.dispose([a, b, difference]);
      }
      $('loaded').textContent = `loaded ${file.name} (${file.size} bytes): held-out accuracy ${(100 * state.loadedAccuracy).toFixed(1)}%${state.loadedMaxDifference === undefined ? '' : `, largest output difference from the trained network ${state.loadedMaxDifference}`}`;
      loaded.dispose();
    } catch (error) {
      fail(error);
    }
  };
  ($('train') as HTMLButtonElement).disabled = false;
}

main().catch(fail);
