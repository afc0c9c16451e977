// LSTM 2x256 training on the native backend (OpenBLAS products, the fused LSTM sequence kernels,
// the fused Adam step) beside PyTorch on the CPU (its best thread count, 1 or 2, is the anchor)
// and dl4ts on wasm, in turns in one process; then a profile of the native step.
//
// The model is the `lstm` case's (../lstm-models.ts): 65 symbols, batch 32, 200-character
// sequences in 4 truncated-BPTT segments of 50, Adam 2e-3. PyTorch (bench/python/lstm.py) runs
// the same: nn.LSTM 2x256, a Linear output with cross-entropy, the state carried detached between
// segments, one Adam step per segment.
//
// The suite runs this file as `lstm-native` (OpenBLAS as the machine has it) and as
// `lstm-native-best` (every contender on the best kernel for the CPU; see ../blas-mode.ts).
import * as tf from '@tensorflow/tfjs-core';
import { CharacterCodec, SequenceDataSet } from '@dl4ts/rnn';
import { type Contender, type ContenderResult, interleave, on, reanchor, runCase } from '../harness';
import { lstmTrainingFlops, shakespeareOrRandom } from '../lstm-data';
import { LSTM_BATCH, LSTM_HIDDEN, LSTM_SEGMENT, LSTM_SEGMENTS_PER_SEQUENCE, characterReader, lstmNetwork } from '../lstm-models';
import { profileSteps } from '../native-profile';
import { findTorch, pytorchContender } from '../pytorch';
import { blasModeTitle } from '../blas-mode';
import { defaultNativeThreads } from '@dl4ts/backend-native';
import { nativeName, threadCounts } from '../native-threads';

const SEQUENCE = LSTM_SEGMENT * LSTM_SEGMENTS_PER_SEQUENCE;

await runCase(
  'lstm-native',
  async ({ quick, rounds, log, native, nativeMissing }) => {
    const blas = blasModeTitle();
    const notes: string[] = [`OpenBLAS: ${blas}.`];
    const title = `LSTM 2x${LSTM_HIDDEN} on characters, batch ${LSTM_BATCH}, tBPTT ${LSTM_SEGMENT}/${LSTM_SEGMENT}, Adam: native backend beside PyTorch (${blas})`;
    if (native === undefined) return { title, unit: 'characters/s', rows: [], notes: [`skipped: ${nativeMissing ?? 'native backend not requested'}`] };
    const addon = native.addon()!;
    const threads = (n: number) => () => addon.setThreads(n);
    const { text, real } = shakespeareOrRandom();
    const codec = CharacterCodec.fromText(text);
    const v = codec.size;
    const batchesPerRound = quick ? 1 : 2;
    const chars = batchesPerRound * LSTM_BATCH * SEQUENCE;
    const flopsPerUnit = lstmTrainingFlops(v, [LSTM_HIDDEN, LSTM_HIDDEN]);
    const losses = new Map<string, number[]>();

    const dl4ts = (name: string, backend: string, before?: () => void): Promise<Contender> =>
      on(backend, () => {
        const net = lstmNetwork(v);
        const read = characterReader(text, codec, chars);
        return {
          name,
          backend,
          flopsPerUnit,
          ...(before === undefined ? {} : { before }),
          async round() {
            const { x, y } = read(SEQUENCE);
            const data = SequenceDataSet.adopt({ features: x, labels: y });
            const start = tf.memory().numTensors;
            const { meanScores } = await net.fit(data, { epochs: 1, batchSize: LSTM_BATCH });
            if (tf.memory().numTensors !== start) throw new Error(`dl4ts leaked ${tf.memory().numTensors - start} tensors in one round`);
            data.dispose();
            const list = losses.get(name) ?? [];
            list.push((meanScores[0] as number) / LSTM_SEGMENT);
            losses.set(name, list);
            return chars;
          },
          dispose: () => net.dispose(),
        };
      });

    const contenders: Contender[] = [];
    const torch = findTorch();
    if ('python' in torch) {
      for (const t of [1, 2]) contenders.push(await pytorchContender(torch.python, { model: 'lstm', threads: t, units: chars, flopsPerUnit }));
    } else {
      notes.push(`PyTorch skipped: ${torch.reason}`);
    }
    for (const t of threadCounts()) contenders.push(await dl4ts(nativeName('dl4ts Network.fit', t), 'native', threads(t)));
    contenders.push(await dl4ts('dl4ts Network.fit, wasm', 'wasm'));
    log(`lstm-native: 2x${LSTM_HIDDEN} on ${v} symbols (${real ? 'tiny Shakespeare' : 'generated text'}), ${chars} characters per round`);
    const measured = await interleave(contenders, rounds(3), { log });
    for (const c of contenders) {
      if ('lastLoss' in c) losses.set(c.name, [(c as unknown as { lastLoss(): number }).lastLoss()]);
      c.dispose();
    }
    const rows: ContenderResult[] = reanchor(measured, (row) => row.name.startsWith('PyTorch'));
    addon.setThreads(defaultNativeThreads());

    const byName = (prefix: string) => rows.find((r) => r.name.startsWith(prefix));
    const ours = byName(nativeName('dl4ts Network.fit', defaultNativeThreads()));
    const ratio = (a: ContenderResult | undefined, b: ContenderResult | undefined) => (a === undefined || b === undefined ? 'n/a' : `${(a.perSecond / b.perSecond).toFixed(2)}x`);
    const metrics: Record<string, string | number> = {
      'native vs best PyTorch': ratio(ours, rows.find((r) => r.anchor && r.name.startsWith('PyTorch'))),
      'native vs dl4ts on wasm': ratio(ours, byName('dl4ts Network.fit, wasm')),
    };
    for (const c of contenders) if ('info' in c) metrics[`${c.name}: 512x512 sgemm`] = `${(c as unknown as { info: { gemm_gflops: number } }).info.gemm_gflops} GFLOP/s`;

    await tf.setBackend('native');
    const net = lstmNetwork(v);
    const read = characterReader(text, codec, LSTM_BATCH * SEQUENCE);
    const { x, y } = read(SEQUENCE);
    const data = SequenceDataSet.adopt({ features: x, labels: y });
    await net.fit(data, { epochs: 1, batchSize: LSTM_BATCH });
    Object.assign(metrics, await profileSteps(() => net.fit(data, { epochs: 1, batchSize: LSTM_BATCH }).then(() => undefined), LSTM_SEGMENTS_PER_SEQUENCE));
    data.dispose();
    net.dispose();

    notes.push(
      `${chars} ${real ? 'tiny Shakespeare' : 'generated'} characters per round for every contender (${batchesPerRound} minibatches of ${LSTM_BATCH} sequences of ${SEQUENCE}, ${LSTM_SEGMENTS_PER_SEQUENCE} truncated-BPTT segments each); median of the timed rounds after one warm-up round; the anchor is PyTorch's faster thread count.`,
      'The profile\'s "step" is one truncated-BPTT segment (50 steps forward and backward, one Adam update); the fused LSTM kernels (Dl4tsLstmSequence, Dl4tsLstmSequenceGrad) hold most of the products.',
      `Training loss per character, last round: ${[...losses].map(([name, l]) => `${name} ${(l.at(-1) ?? Number.NaN).toFixed(3)}`).join('; ')}.`,
    );
    return { title, unit: 'characters/s', rows, notes, metrics };
  },
  {},
  { native: {} },
);
