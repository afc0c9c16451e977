// Shared by this package's tests only (not exported from index.ts): float64 reference rules for
// one element, written in plain JS from each updater's published rule (DL4J's updater sources and
// the papers they cite), independently of the tfjs implementations they check.
import type { UpdaterStep } from '@dl4ts/core';
import type { ReferenceRule } from './test-support';

/** The learning rate at a step: a constant, or a schedule formula written out in the test. */
export type Rate = (step: UpdaterStep) => number;

type Options = Record<string, number>;
const t = (step: UpdaterStep): number => step.iteration + 1;

/** DL4J's Sgd: update = lr g. */
export function sgdRule(_o: Options, lr: Rate): ReferenceRule {
  return { init: () => ({}), apply: (g, _s, step) => ({ update: lr(step) * g, state: {} }) };
}

/** DL4J's Nesterovs: v' = mu v - lr g; update = mu v - (1 + mu) v'. `mu` may follow a schedule. */
export function nesterovsRule(o: Options, lr: Rate, mu: Rate = () => o.momentum as number): ReferenceRule {
  return {
    init: () => ({ v: 0 }),
    apply: (g, s, step) => {
      const m = mu(step);
      const v = m * s.v! - lr(step) * g;
      return { update: m * s.v! - (1 + m) * v, state: { v } };
    },
  };
}

/**
 * DL4J's AdamUpdater (Kingma & Ba, section 2, the "efficient" ordering: epsilon outside the bias
 * correction): m' = b1 m + (1 - b1) g; v' = b2 v + (1 - b2) g^2;
 * update = lr sqrt(1 - b2^t) / (1 - b1^t) m' / (sqrt(v') + eps), t = iteration + 1.
 */
export function adamRule(o: Options, lr: Rate): ReferenceRule {
  const { beta1 = 0, beta2 = 0, epsilon = 0 } = o;
  return {
    init: () => ({ m: 0, v: 0 }),
    apply: (g, s, step) => {
      const m = beta1 * s.m! + (1 - beta1) * g;
      const v = beta2 * s.v! + (1 - beta2) * g * g;
      const alpha = (lr(step) * Math.sqrt(1 - Math.pow(beta2, t(step)))) / (1 - Math.pow(beta1, t(step)));
      return { update: (alpha * m) / (Math.sqrt(v) + epsilon), state: { m, v } };
    },
  };
}

/**
 * DL4J's AdaMaxUpdater (Kingma & Ba, section 7.1): m' = b1 m + (1 - b1) g;
 * u' = max(b2 u, |g|) + 1e-32 (DL4J keeps the 1e-32 in its state); update = lr / (1 - b1^t) m' / u'.
 */
export function adamaxRule(o: Options, lr: Rate): ReferenceRule {
  const { beta1 = 0, beta2 = 0 } = o;
  return {
    init: () => ({ m: 0, u: 0 }),
    apply: (g, s, step) => {
      const m = beta1 * s.m! + (1 - beta1) * g;
      const u = Math.max(beta2 * s.u!, Math.abs(g)) + 1e-32;
      return { update: ((lr(step) / (1 - Math.pow(beta1, t(step)))) * m) / u, state: { m, u } };
    },
  };
}

/**
 * DL4J's NadamUpdater (Dozat 2016 as given in Ruder's overview; v is not bias corrected):
 * m' = b1 m + (1 - b1) g; v' = b2 v + (1 - b2) g^2;
 * update = lr (b1 m' + (1 - b1) g) / (1 - b1^t) / (sqrt(v') + eps).
 */
export function nadamRule(o: Options, lr: Rate): ReferenceRule {
  const { beta1 = 0, beta2 = 0, epsilon = 0 } = o;
  return {
    init: () => ({ m: 0, v: 0 }),
    apply: (g, s, step) => {
      const m = beta1 * s.m! + (1 - beta1) * g;
      const v = beta2 * s.v! + (1 - beta2) * g * g;
      const lookAhead = (beta1 * m + (1 - beta1) * g) / (1 - Math.pow(beta1, t(step)));
      return { update: (lr(step) * lookAhead) / (Math.sqrt(v) + epsilon), state: { m, v } };
    },
  };
}

/**
 * DL4J's AMSGradUpdater (Reddi et al. 2018, with Adam's bias-corrected step size):
 * m', v' as Adam; vHat' = max(vHat, v'); update = lr sqrt(1 - b2^t) / (1 - b1^t) m' / (sqrt(vHat') + eps).
 */
export function amsgradRule(o: Options, lr: Rate): ReferenceRule {
  const { beta1 = 0, beta2 = 0, epsilon = 0 } = o;
  return {
    init: () => ({ m: 0, v: 0, vHat: 0 }),
    apply: (g, s, step) => {
      const m = beta1 * s.m! + (1 - beta1) * g;
      const v = beta2 * s.v! + (1 - beta2) * g * g;
      const vHat = Math.max(s.vHat!, v);
      const alpha = (lr(step) * Math.sqrt(1 - Math.pow(beta2, t(step)))) / (1 - Math.pow(beta1, t(step)));
      return { update: (alpha * m) / (Math.sqrt(vHat) + epsilon), state: { m, v, vHat } };
    },
  };
}

/** DL4J's AdaGradUpdater: h starts at eps; h' = h + g^2; update = lr g / (sqrt(h') + eps). */
export function adagradRule(o: Options, lr: Rate): ReferenceRule {
  const { epsilon = 0 } = o;
  return {
    init: () => ({ h: epsilon }),
    apply: (g, s, step) => {
      const h = s.h! + g * g;
      return { update: (lr(step) * g) / (Math.sqrt(h) + epsilon), state: { h } };
    },
  };
}

/** DL4J's RmsPropUpdater: s starts at eps; s' = d s + (1 - d) g^2; update = lr g / (sqrt(s') + eps). */
export function rmspropRule(o: Options, lr: Rate): ReferenceRule {
  const { rmsDecay = 0, epsilon = 0 } = o;
  return {
    init: () => ({ s: epsilon }),
    apply: (g, st, step) => {
      const s = rmsDecay * st.s! + (1 - rmsDecay) * g * g;
      return { update: (lr(step) * g) / (Math.sqrt(s) + epsilon), state: { s } };
    },
  };
}

/**
 * DL4J's AdaDeltaUpdater (Zeiler 2012, algorithm 1): msg' = rho msg + (1 - rho) g^2;
 * update = g RMS[dx]_{t-1} / RMS[g]_t = g sqrt(msdx + eps) / sqrt(msg' + eps);
 * msdx' = rho msdx + (1 - rho) update^2.
 */
export function adadeltaRule(o: Options): ReferenceRule {
  const { rho = 0, epsilon = 0 } = o;
  return {
    init: () => ({ msg: 0, msdx: 0 }),
    apply: (g, s) => {
      const msg = rho * s.msg! + (1 - rho) * g * g;
      const update = (g * Math.sqrt(s.msdx! + epsilon)) / Math.sqrt(msg + epsilon);
      return { update, state: { msg, msdx: rho * s.msdx! + (1 - rho) * update * update } };
    },
  };
}

/** DL4J's NoOpUpdater: the gradient passes through unchanged, update = g (a fixed step of 1). */
export function noneRule(): ReferenceRule {
  return { init: () => ({}), apply: (g) => ({ update: g, state: {} }) };
}
