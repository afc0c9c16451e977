// onnxruntime-node as an inference contender: the model PyTorch exported (same weights), run by
// ONNX Runtime's CPU provider on one sample at a time, its output read back like every other
// latency contender's. Skipped, saying why, where the package or the model file is missing.
import { existsSync } from 'node:fs';
import type { Contender } from './harness';
import { LATENCY_CALLS } from './latency';

/** An onnxruntime-node contender for single-sample latency, or why there is none. */
export async function onnxRuntimeContender(modelPath: string, threads: number, features: number): Promise<Contender | { reason: string }> {
  if (!existsSync(modelPath)) return { reason: `no ONNX model at ${modelPath} (PyTorch exports it; is PyTorch here?)` };
  let ort: typeof import('onnxruntime-node');
  try {
    ort = await import('onnxruntime-node');
  } catch (error) {
    return { reason: `onnxruntime-node could not be loaded (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); it is a devDependency of @dl4ts/bench` };
  }
  const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  const input = new ort.Tensor('float32', Float32Array.from({ length: features }, (_, i) => (i % 17) / 17), [1, features]);
  const [inputName] = session.inputNames;
  const [outputName] = session.outputNames;
  if (inputName === undefined || outputName === undefined) return { reason: `the ONNX model at ${modelPath} has no input or output` };
  return {
    name: `onnxruntime-node ${ort.env.versions.common}, ${threads} thread${threads === 1 ? '' : 's'}`,
    foreign: true,
    round: async () => {
      for (let i = 0; i < LATENCY_CALLS; i++) {
        const result = await session.run({ [inputName]: input });
        const output = result[outputName];
        if (output === undefined || output.data.length !== 10) throw new Error('onnxruntime returned no 10-wide output');
      }
      return LATENCY_CALLS;
    },
    dispose: () => {
      void session.release();
    },
  };
}
