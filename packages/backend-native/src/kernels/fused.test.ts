// dl4ts's fused kernels on the native backend: every updater rule bitwise equal to the same
// updater's tfjs-op path on tfjs-backend-cpu (three steps, state carried), scaledAdd bitwise equal
// to add(a, mul(alpha, b)), and the fused LSTM sequence (and the tfjs-op pass on cpu beside it)
// against a float64 reference within its running error bound (./lstm-reference.ts), forward and
// gradients, with and without a mask, plus a finite-difference check of its gradient.
import { cpuBackend } from '@dl4ts/backend-cpu';
import { type Updater, countNonFinite, fusedApplyUpdate, scaledAdd, selectBackend, sumOfSquares } from '@dl4ts/core';
import { checkGradients } from '@dl4ts/core/testing';
import { lstmSequence } from '@dl4ts/rnn';
import { adadelta, adagrad, adam, adamax, amsgrad, nadam, nesterovs, rmsprop, sgd } from '@dl4ts/updaters';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { nativeBackend } from '../native-backend';
import { countNativeCalls, nativeAvailable } from '../test-support';
import { expectWithinBound } from './error-bounds';
import { type BoundedArray, type LstmInputs, lstmReference } from './lstm-reference';
import { randomArray } from './test-arrays';

const native = () => selectBackend('native', [nativeBackend({ threads: 2 })]);
const cpu = () => selectBackend('cpu', [cpuBackend()]);

const UPDATERS: [string, () => Updater][] = [
  ['nesterovs', () => nesterovs({ type: 'updaters/nesterovs', learningRate: 0.05, momentum: 0.9 })],
  ['adam', () => adam({ type: 'updaters/adam', learningRate: 0.01 })],
  ['adamax', () => adamax({ type: 'updaters/adamax', learningRate: 0.01 })],
  ['nadam', () => nadam({ type: 'updaters/nadam', learningRate: 0.01 })],
  ['amsgrad', () => amsgrad({ type: 'updaters/amsgrad', learningRate: 0.01 })],
  ['adagrad', () => adagrad({ type: 'updaters/adagrad', learningRate: 0.1 })],
  ['rmsprop', () => rmsprop({ type: 'updaters/rmsprop', learningRate: 0.01, rmsDecay: 0.9 })],
  ['adadelta', () => adadelta({ type: 'updaters/adadelta', rho: 0.95 })],
];

/** Three steps of `make()` on gradients of 1,000,003 elements (threaded, odd tail): updates and final state as arrays. */
function threeSteps(make: () => Updater): { updates: Float32Array[]; state: Record<string, Float32Array> } {
  const updater = make();
  const size = 1_000_003;
  const param = tf.zeros([size]);
  let state = updater.initState(param);
  param.dispose();
  const updates: Float32Array[] = [];
  for (let iteration = 0; iteration < 3; iteration++) {
    const g = tf.tensor1d(randomArray(size, 70 + iteration, 0.5));
    const { update, state: next } = tf.tidy(() => {
      const r = updater.apply(g, state, { iteration, epoch: 0 });
      return { update: r.update, state: r.state };
    });
    for (const t of Object.values(state)) t.dispose();
    state = next;
    updates.push(update.dataSync() as Float32Array);
    update.dispose();
    g.dispose();
  }
  const final = Object.fromEntries(Object.entries(state).map(([k, t]) => [k, t.dataSync() as Float32Array]));
  for (const t of Object.values(state)) t.dispose();
  return { updates, state: final };
}

describe.runIf(nativeAvailable)('fused updater kernels', () => {
  for (const [name, make] of UPDATERS) {
    it(`${name}: the fused kernel gives bitwise what its tfjs ops give on cpu`, async () => {
      await cpu();
      const reference = threeSteps(make);
      await native();
      const { result: fused, calls } = countNativeCalls('updater', () => threeSteps(make));
      expect(calls).toBe(3);
      for (let i = 0; i < 3; i++) expect(Buffer.from((fused.updates[i] as Float32Array).buffer).equals(Buffer.from((reference.updates[i] as Float32Array).buffer)), `${name} update ${i}`).toBe(true);
      expect(Object.keys(fused.state).sort()).toEqual(Object.keys(reference.state).sort());
      for (const [k, values] of Object.entries(reference.state)) expect(Buffer.from((fused.state[k] as Float32Array).buffer).equals(Buffer.from(values.buffer)), `${name} state ${k}`).toBe(true);
    });
  }

  it('scaledAdd(a, b, alpha) is bitwise add(a, mul(alpha, b)), and the op path where not offered', async () => {
    const a = randomArray(1001, 80);
    const b = randomArray(1001, 81);
    await cpu();
    const want = tf.tidy(() => scaledAdd(tf.tensor1d(a), tf.tensor1d(b), 1e-4)).dataSync();
    const ops = tf.tidy(() => tf.add(tf.tensor1d(a), tf.mul(1e-4, tf.tensor1d(b)))).dataSync();
    expect(Array.from(want)).toEqual(Array.from(ops));
    await native();
    const { result, calls } = countNativeCalls('updater', () => tf.tidy(() => scaledAdd(tf.tensor1d(a), tf.tensor1d(b), 1e-4)).dataSync());
    expect(calls).toBe(1);
    expect(Array.from(result)).toEqual(Array.from(want));
  });

  it('rejects a state of the wrong size with a message naming it', async () => {
    await native();
    expect(() =>
      tf.tidy(() => tf.engine().runKernel('Dl4tsUpdaterStep', { g: tf.zeros([4]), s0: tf.zeros([3]) }, { rule: 'nesterovs', constants: [0.1, 0.9, 1.9] })),
    ).toThrow(/state s0 must be float32 of the gradient's size 4/);
    expect(() => tf.tidy(() => tf.engine().runKernel('Dl4tsUpdaterStep', { g: tf.zeros([4]) }, { rule: 'lion', constants: [] }))).toThrow(/unknown rule "lion"/);
  });
});

/** The inputs of one LSTM comparison, and the weights of the test's score. */
function lstmCase(batch: number, time: number, n: number, masked: boolean, rwScale: number): { inputs: LstmInputs; wOut: Float32Array; wh: Float32Array; wc: Float32Array } {
  const inputs: LstmInputs = {
    batch,
    time,
    n,
    xw: randomArray(batch * time * 4 * n, 90),
    rw: randomArray(n * 4 * n, 91, rwScale),
    h0: randomArray(batch * n, 92),
    c0: randomArray(batch * n, 93),
    ...(masked ? { mask: Float32Array.from({ length: batch * time }, (_, i) => (i % 3 === 1 ? 0 : 1)) } : {}),
  };
  return { inputs, wOut: randomArray(batch * time * n, 94), wh: randomArray(batch * n, 95), wc: randomArray(batch * n, 96) };
}

/** Output, final state, the score sum(output wOut) + sum(h wh) + sum(c wc) and its gradients, on the active backend. */
function lstmRun({ inputs: x, wOut, wh, wc }: ReturnType<typeof lstmCase>): Float32Array[] {
  const { batch, time, n } = x;
  return tf.tidy(() => {
    const xw = tf.tensor3d(x.xw, [batch, time, 4 * n]);
    const rw = tf.tensor2d(x.rw, [n, 4 * n]);
    const h0 = tf.tensor2d(x.h0, [batch, n]);
    const c0 = tf.tensor2d(x.c0, [batch, n]);
    const mask = x.mask === undefined ? undefined : tf.tensor2d(x.mask, [batch, time]);
    const f = (a: tf.Tensor, w: tf.Tensor, h: tf.Tensor, c: tf.Tensor) => {
      const r = lstmSequence(a as tf.Tensor3D, w as tf.Tensor2D, h as tf.Tensor2D, c as tf.Tensor2D, mask);
      return tf.addN([tf.sum(tf.mul(r.output, tf.tensor3d(wOut, [batch, time, n]))), tf.sum(tf.mul(r.h, tf.tensor2d(wh, [batch, n]))), tf.sum(tf.mul(r.c, tf.tensor2d(wc, [batch, n])))]) as tf.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(f)([xw, rw, h0, c0]);
    const r = lstmSequence(xw, rw, h0, c0, mask);
    return [r.output, r.h, r.c, value, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

describe.runIf(nativeAvailable)('fused LSTM sequence kernels', () => {
  const names = ['output', 'h', 'c', 'score', 'dxw', 'drw', 'dh0', 'dc0'];
  for (const masked of [false, true]) {
    it(`outputs and all four gradients lie within the running error bound of a float64 reference, as the op path on cpu does${masked ? ', with a mask' : ''}`, async () => {
      // The recurrent weights' scale keeps sum_k |RW_kj| near 1 or below: a worst-case bound grows
      // with it at every step, and the check is only worth something while the bounds stay small.
      // 9x5x44: enough work per step that the kernels split the units over the backend's two
      // threads (parts of 24 and 20 units, a vector tail in the second). 2x3x72: one part, and a
      // backward product deeper (4n = 288) than the packed product's 256-row passes.
      for (const [batch, time, n, rwScale] of [[3, 7, 5, 0.5], [2, 1, 9, 0.5], [4, 12, 16, 0.15], [9, 5, 44, 0.045], [2, 3, 72, 0.03]] as const) {
        const lstm = lstmCase(batch, time, n, masked, rwScale);
        const want = lstmReference(lstm.inputs, lstm.wOut, lstm.wh, lstm.wc);
        // The bounds are small enough that a wrong kernel (a lost term, a transposed operand, errors
        // off by a percent of the values) could not pass.
        want.forEach(({ values, bounds }, i) => {
          const scale = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
          expect(Math.max(...bounds), `${names[i]} ${batch}x${time}x${n}: bound against the values' scale ${scale}`).toBeLessThan(1e-2 * scale);
        });
        await cpu();
        const ops = lstmRun(lstm);
        await native();
        const { result: got, calls } = countNativeCalls('lstmBackward', () => lstmRun(lstm));
        expect(calls).toBe(1);
        for (const [path, values] of [['native', got], ['op path on cpu', ops]] as const) {
          values.forEach((v, i) => expectWithinBound(v, (want[i] as BoundedArray).values, (want[i] as BoundedArray).bounds, `${path} ${names[i]} ${batch}x${time}x${n}`));
        }
      }
    });
  }

  for (const backend of ['cpu', 'native'] as const) it(`its gradient passes a finite-difference check (${backend})`, async () => {
    await (backend === 'cpu' ? cpu() : native());
    const [batch, time, n] = [2, 4, 3];
    const weights = tf.tensor3d(randomArray(batch * time * n, 97), [batch, time, n]);
    // Moderate values: in saturated gates float32 central differences lose the curvature, on either path.
    const params = [tf.tensor3d(randomArray(batch * time * 4 * n, 98, 0.7), [batch, time, 4 * n]), tf.tensor2d(randomArray(n * 4 * n, 99, 0.4), [n, 4 * n]), tf.tensor2d(randomArray(batch * n, 100, 0.7), [batch, n]), tf.tensor2d(randomArray(batch * n, 101, 0.7), [batch, n])];
    const result = await checkGradients(([xw, rw, h0, c0]) => {
      const r = lstmSequence(xw as tf.Tensor3D, rw as tf.Tensor2D, h0 as tf.Tensor2D, c0 as tf.Tensor2D);
      return tf.add(tf.sum(tf.mul(r.output, weights)), tf.sum(r.c));
    }, params, { epsilon: 4e-3, maxRelativeError: 2e-2, minAbsoluteError: 2e-3 }); // rnn's own LSTM check's options
    expect(result.failures).toEqual([]);
    expect(result.passed).toBe(true);
    expect(result.checked).toBe(params.reduce((s, p) => s + p.size, 0));
    for (const t of [...params, weights]) t.dispose();
  });
});

describe.runIf(nativeAvailable)('fused applyUpdate and sumSquares kernels', () => {
  const size = 100_003;
  const w = randomArray(size, 110);
  const g = randomArray(size, 111, 0.3);
  w[5] = 0; // sign(0) = 0 in the L1 term

  /** Core's op path on cpu: penalties, the updater's apply, decay, w - update. */
  function opPath(make: () => Updater, penalties: { l1: number; l2: number; decay: number }): Float32Array[] {
    return tf.tidy(() => {
      const updater = make();
      const wt = tf.tensor1d(w);
      let state = updater.initState(wt);
      let param: tf.Tensor = wt;
      const out: Float32Array[] = [];
      for (let iteration = 0; iteration < 2; iteration++) {
        let gt: tf.Tensor = tf.tensor1d(g);
        if (penalties.l1 > 0) gt = tf.add(gt, tf.mul(penalties.l1, tf.sign(param)));
        if (penalties.l2 > 0) gt = scaledAdd(gt, param, penalties.l2);
        const r = updater.apply(gt, state, { iteration, epoch: 0 });
        const total = penalties.decay > 0 ? scaledAdd(r.update, param, penalties.decay) : r.update;
        param = tf.sub(param, total);
        state = r.state;
      }
      out.push(param.dataSync() as Float32Array, ...Object.keys(state).sort().map((k) => (state[k] as tf.Tensor).dataSync() as Float32Array));
      return out;
    });
  }

  function fusedPath(make: () => Updater, penalties: { l1: number; l2: number; decay: number }): Float32Array[] {
    return tf.tidy(() => {
      const updater = make();
      let param: tf.Tensor = tf.tensor1d(w);
      let state = updater.initState(param);
      for (let iteration = 0; iteration < 2; iteration++) {
        const rule = updater.fusedRule?.({ iteration, epoch: 0 });
        if (rule === undefined) throw new Error('no fused rule');
        const r = fusedApplyUpdate(param, tf.tensor1d(g), state, rule, penalties);
        if (r === undefined) throw new Error('not fused');
        param = r.param;
        state = r.state;
      }
      return [param.dataSync() as Float32Array, ...Object.keys(state).sort().map((k) => (state[k] as tf.Tensor).dataSync() as Float32Array)];
    });
  }

  const all: [string, () => Updater][] = [['sgd', () => sgd({ type: 'updaters/sgd', learningRate: 0.1 })], ...UPDATERS];
  for (const [name, make] of all) {
    it(`${name} with L1, L2 and weight decay: one kernel, bitwise the op path on cpu`, async () => {
      const penalties = { l1: 1e-3, l2: 1e-4, decay: 5e-5 };
      await cpu();
      const want = opPath(make, penalties);
      await native();
      const { result: got, calls } = countNativeCalls('applyUpdate', () => fusedPath(make, penalties));
      expect(calls).toBe(2);
      expect(got.length).toBe(want.length);
      got.forEach((values, i) => expect(Buffer.from(values.buffer).equals(Buffer.from((want[i] as Float32Array).buffer)), `${name} output ${i}`).toBe(true));
    });
  }

  it('rewrites a parameter and its state in place only where no other tensor shares their storage', async () => {
    await native();
    const rule = { rule: 'nesterovs', constants: [0.1, 0.9, 1.9], state: ['v'] } as const;
    const none = { l1: 0, l2: 0, decay: 0 };
    // Sole owner: the outputs are the inputs' storage, rewritten (w' = w - update, v' = -lr g).
    const param = tf.tensor1d([1, 2, 3]);
    const v = tf.zeros([3]);
    const gradient = tf.tensor1d([1, -1, 0.5]);
    const sole = fusedApplyUpdate(param, gradient, { v }, rule, none)!;
    expect(sole.param.dataId).toBe(param.dataId);
    expect(sole.state.v!.dataId).toBe(v.dataId);
    const expectedV = [-0.1, 0.1, -0.05].map((x) => Math.fround(x));
    expect(Array.from(await sole.state.v!.data())).toEqual(expectedV);
    const update = (i: number) => Math.fround(Math.fround(0) - Math.fround((expectedV[i] as number) * Math.fround(1.9)));
    expect(Array.from(await sole.param.data())).toEqual([1, 2, 3].map((x, i) => Math.fround(x - update(i))));
    tf.dispose([sole.param, sole.state.v!]);
    // Shared (a clone holds the parameter's storage): new storage, and the clone keeps its values.
    const held = tf.clone(param);
    const shared = fusedApplyUpdate(param, gradient, { v }, rule, none)!;
    expect(shared.param.dataId).not.toBe(param.dataId);
    expect(Array.from(await held.data())).toEqual(Array.from(await param.data()));
    tf.dispose([param, v, gradient, held, shared.param, shared.state.v!]);
  });

  it('countNonFinite counts NaN, +Infinity and -Infinity in one kernel, over the threads too', async () => {
    await native();
    const values = randomArray(300_001, 112);
    const bad = [0, 7, 150_000, 300_000];
    values[0] = Number.NaN;
    values[7] = Number.POSITIVE_INFINITY;
    values[150_000] = Number.NEGATIVE_INFINITY;
    values[300_000] = Number.NaN;
    const { result, calls } = countNativeCalls('countNonFinite', () => tf.tidy(() => countNonFinite(tf.tensor1d(values)).dataSync()[0]));
    expect(calls).toBe(1);
    expect(result).toBe(bad.length);
    expect(tf.tidy(() => countNonFinite(tf.tensor1d([1, 2, 3])).dataSync()[0])).toBe(0);
    expect(tf.tidy(() => countNonFinite(tf.tensor1d([])).dataSync()[0])).toBe(0);
  });

  it('sumSquares is bitwise sum(square(x)) on cpu, and differentiable (2x)', async () => {
    await cpu();
    const want = tf.tidy(() => tf.sum(tf.square(tf.tensor1d(w))).dataSync()[0]);
    await native();
    const { result, calls } = countNativeCalls('sumSquares', () => tf.tidy(() => sumOfSquares(tf.tensor1d(w)).dataSync()[0]));
    expect(calls).toBe(1);
    expect(result).toBe(want);
    const grad = tf.tidy(() => tf.grad((x: tf.Tensor) => sumOfSquares(x))(tf.tensor1d([1, -2, 0.5])).dataSync());
    expect(Array.from(grad)).toEqual([2, -4, 1]);
  });
});
