// Single-sample inference latency of the MLP 784-500-250-10, from input tensor to values read back:
// dl4ts Network.output on the native backend beside PyTorch (model(x).numpy() under no_grad, its
// faster thread count the anchor), onnxruntime-node on the model PyTorch exports (same weights),
// dl4ts on wasm, and tfjs-layers model.predict on native. The suite runs it as
// `mlp-latency-native` (OpenBLAS as the machine has it) and `mlp-latency-native-best`.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { type Contender, type ContenderResult, foreign, interleave, on, reanchor, runCase } from '../harness';
import { mlpNetwork, mlpTfjsLayers } from '../mlp-models';
import { LATENCY_CALLS, latencyContender } from '../latency';
import { findTorch, pytorchContender } from '../pytorch';
import { onnxRuntimeContender } from '../onnxruntime';
import { blasModeTitle } from '../blas-mode';
import { defaultNativeThreads } from '@dl4ts/backend-native';
import { nativeName, threadCounts } from '../native-threads';

/** A native-case contender: its own input (disposed with it), on `backend`. */
function caller(name: string, backend: string, predict: (x: tf.Tensor2D) => tf.Tensor, dispose: () => void, x: tf.Tensor2D, before?: () => void): Contender {
  return latencyContender(
    {
      name,
      backend,
      predict,
      dispose: () => {
        dispose();
        x.dispose();
      },
      ...(before === undefined ? {} : { before }),
    },
    x,
  );
}

await runCase(
  'mlp-latency-native',
  async ({ rounds, log, native, nativeMissing }) => {
    const title = `MLP 784-500-250-10 inference, one sample, read back: native backend beside PyTorch and onnxruntime-node (${blasModeTitle()})`;
    if (native === undefined) return { title, unit: 'inferences/s', rows: [], notes: [`skipped: ${nativeMissing ?? 'native backend not requested'}`] };
    const addon = native.addon()!;
    const threads = (n: number) => () => addon.setThreads(n);
    const notes: string[] = [];
    const contenders: Contender[] = [];
    const torch = findTorch();
    const onnx = join(tmpdir(), `dl4ts-bench-mlp-${process.pid}.onnx`);
    if ('python' in torch) {
      for (const t of [1, 2]) contenders.push(await pytorchContender(torch.python, { model: 'mlp-latency', threads: t, units: LATENCY_CALLS, ...(t === 1 ? { onnx } : {}) }));
    } else {
      notes.push(`PyTorch skipped: ${torch.reason}`);
    }
    for (const t of [1, 2]) {
      const ort = await onnxRuntimeContender(onnx, t, 784);
      if ('reason' in ort) {
        notes.push(`onnxruntime-node skipped: ${ort.reason}`);
        break;
      }
      contenders.push(ort);
    }
    const input = () => tf.randomUniform([1, 784], 0, 1, 'float32', 5) as tf.Tensor2D;
    for (const n of threadCounts()) {
      contenders.push(
        await on('native', () => {
          const net = mlpNetwork(1);
          return caller(nativeName('dl4ts Network.output', n), 'native', (x) => net.output(x), () => net.dispose(), input(), threads(n));
        }),
      );
    }
    contenders.push(
      await on('wasm', () => {
        const net = mlpNetwork(1);
        return caller('dl4ts Network.output, wasm', 'wasm', (x) => net.output(x), () => net.dispose(), input());
      }),
    );
    contenders.push(
      await on('native', () =>
        foreign(() => {
          const model = mlpTfjsLayers();
          return caller('tfjs-layers model.predict, native, default threads', 'native', (x) => model.predict(x) as tf.Tensor, () => model.dispose(), input(), threads(defaultNativeThreads()));
        }),
      ),
    );
    const measured = await interleave(contenders, rounds(5), { log });
    for (const c of contenders) c.dispose();
    rmSync(onnx, { force: true });
    addon.setThreads(defaultNativeThreads());
    const rows: ContenderResult[] = reanchor(measured, (row) => row.name.startsWith('PyTorch'));
    const metrics: Record<string, string | number> = {};
    for (const row of rows) metrics[`${row.name}: median latency`] = `${(1000 / row.perSecond).toFixed(3)} ms`;
    const fastest = (prefix: string) => rows.filter((r) => r.name.startsWith(prefix)).reduce<ContenderResult | undefined>((a, b) => (a === undefined || b.perSecond > a.perSecond ? b : a), undefined);
    const ours = fastest('dl4ts Network.output, native');
    for (const [label, rival] of [['PyTorch', fastest('PyTorch')], ['onnxruntime-node', fastest('onnxruntime-node')]] as const) {
      if (ours !== undefined && rival !== undefined) metrics[`dl4ts native latency / ${label}'s (best thread counts)`] = `${(rival.perSecond / ours.perSecond).toFixed(2)}x`;
    }
    notes.push(`${LATENCY_CALLS} calls per round; latency = 1 / rate; the anchor is PyTorch's faster thread count.`);
    return { title, unit: 'inferences/s', rows, notes, metrics };
  },
  {},
  { native: {} },
);
