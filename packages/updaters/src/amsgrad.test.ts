import { describe, expect, it } from 'vitest';
import { adamRule, amsgradRule } from './reference-rules';
import { create, quadraticReference, runOnQuadratic } from './test-support';
import { describeUpdater } from './updater-suite';

describe('amsgrad', () => {
  describeUpdater({
    key: 'updaters/amsgrad',
    names: ['amsgrad', 'AMSGRAD', 'AMSGrad'],
    defaults: { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    // beta2 small enough for v to fall below its maximum within 5 steps, so vHat != v.
    custom: { learningRate: 0.1, beta1: 0.5, beta2: 0.6, epsilon: 1e-3 },
    reference: amsgradRule,
    initialState: { m: 0, v: 0, vHat: 0 },
    bad: [
      [{ learningRate: '0.1' }, /learningRate must be a positive finite number or a schedule config \{ type, \.\.\. \}, received "0.1"/],
      [{ beta1: 2 }, /beta1 must be a number in \[0, 1\), received 2/],
      [{ beta2: true }, /beta2 must be a number in \[0, 1\), received true/],
      [{ epsilon: 'tiny' }, /epsilon must be a positive finite number, received "tiny"/],
    ],
  });

  it('keeps vHat as the running maximum of v, and then differs from adam', async () => {
    const options = { learningRate: 0.1, beta1: 0.5, beta2: 0.6, epsilon: 1e-3 };
    const run = await runOnQuadratic(create({ type: 'updaters/amsgrad', ...options }));
    for (let s = 0; s < 5; s++) {
      run.state[s]!.vHat!.forEach((h, i) => {
        expect(h).toBeGreaterThanOrEqual(run.state[s]!.v![i]!);
        if (s > 0) expect(h).toBeGreaterThanOrEqual(run.state[s - 1]!.vHat![i]!);
      });
    }
    // Somewhere v fell below its past maximum: the two updaters part ways.
    expect(run.state.some((st) => st.vHat!.some((h, i) => h > st.v![i]! * 1.01))).toBe(true);
    const adamTrace = quadraticReference(adamRule(options, () => 0.1));
    expect(Math.max(...run.w[4]!.map((w, i) => Math.abs(w - adamTrace.w[4]![i]!)))).toBeGreaterThan(1e-3);
  });
});
