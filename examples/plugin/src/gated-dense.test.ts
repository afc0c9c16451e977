import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, Network, Rng, ShapeError } from '@dl4ts/core';
import type { ParamDeclaration } from '@dl4ts/core';
import { checkGradients, compareArrays } from '@dl4ts/core/testing';
import { describe, expect, it } from 'vitest';
import { GatedDense } from './gated-dense';
import { buildContext, inference, matMul, randomMatrix, registry, sigmoid, values } from './test-support';

const BETA = 1.3;
const X = randomMatrix(5, 4, 1, -2, 2);
const W = randomMatrix(4, 3, 2);
const V = randomMatrix(4, 3, 3);
const B = randomMatrix(1, 3, 4)[0] as number[];
const C = randomMatrix(1, 3, 5)[0] as number[];

function layer(options: Record<string, unknown> = {}): GatedDense {
  return registry.create('layer', { type: 'example/gated-dense', name: 'g', nOut: 3, activation: { type: 'example/beta-swish', beta: BETA }, ...options }) as GatedDense;
}

function built(options: Record<string, unknown> = {}): { layer: GatedDense; declarations: ParamDeclaration[] } {
  const l = layer(options);
  const { context, declarations } = buildContext();
  l.build([4], context);
  return { layer: l, declarations };
}

/** The layer's forward pass in float64 plain JS: f((xW + b) * sigmoid(xV + c)), f = beta-swish. */
function reference(beta: number | undefined): number[] {
  const value = matMul(X, W).map((row) => row.map((v, j) => v + (B[j] as number)));
  const gate = matMul(X, V).map((row) => row.map((v, j) => sigmoid(v + (C[j] as number))));
  return value.flatMap((row, i) =>
    row.map((v, j) => {
      const z = v * ((gate[i] as number[])[j] as number);
      return beta === undefined ? z : z * sigmoid(beta * z);
    }),
  );
}

const params = () => ({ W: tf.tensor2d(W), b: tf.tensor1d(B), V: tf.tensor2d(V), c: tf.tensor1d(C) });

describe('example/gated-dense', () => {
  it('declares W, b, V, c with their shapes, roles and initialisers', () => {
    const { declarations } = built({ weightInit: 'relu', biasInit: 0.25, gateBiasInit: 2 });
    expect(declarations.map((d) => [d.name, d.shape, d.role, d.fanIn, d.fanOut, d.init.config])).toEqual([
      ['W', [4, 3], 'weight', 4, 3, { type: 'layers/relu' }],
      ['b', [3], 'bias', 4, 3, { type: 'layers/constant', value: 0.25 }],
      ['V', [4, 3], 'weight', 4, 3, { type: 'layers/relu' }],
      ['c', [3], 'bias', 4, 3, { type: 'layers/constant', value: 2 }],
    ]);
  });

  it('computes f((xW + b) * sigmoid(xV + c)) as a float64 reference does, with and without an activation', async () => {
    for (const [options, beta] of [[{}, BETA], [{ activation: undefined }, undefined]] as const) {
      const { layer: l } = built(options);
      const p = params();
      const y = l.forward(tf.tensor2d(X), p, inference);
      expect(y.shape).toEqual([5, 3]);
      const result = compareArrays(await values(y), reference(beta), { atol: 1e-6, rtol: 1e-5 });
      expect(result, `worst at ${result.worstIndex}`).toMatchObject({ ok: true });
      tf.dispose([y, ...Object.values(p)]);
    }
  });

  it('has gradients for the input and all four parameters that match central differences', async () => {
    const { layer: l } = built();
    const r = tf.tensor2d(randomMatrix(5, 3, 6)); // weights every output differently
    const tensors = [tf.tensor2d(X), ...Object.values(params())];
    const result = await checkGradients(([x, w, b, v, c]) => tf.sum(tf.mul(l.forward(x as tf.Tensor, { W: w as tf.Tensor, b: b as tf.Tensor, V: v as tf.Tensor, c: c as tf.Tensor }, inference), r)), tensors);
    expect(result.failures).toEqual([]);
    expect(result.checked).toBe(5 * 4 + 12 + 3 + 12 + 3);
    tf.dispose([r, ...tensors]);
  });

  it('draws W then V from the network\'s seeded generator; biases are constants', async () => {
    const config = (seed: number) => ({
      seed,
      input: 4,
      defaults: { updater: 'example/lion' as const },
      layers: [
        { type: 'example/gated-dense' as const, nOut: 3, weightInit: 'xavier' as const, biasInit: 0.5, gateBiasInit: -1 },
        { type: 'layers/output' as const, nOut: 1, loss: 'example/log-cosh' as const },
      ],
    });
    const net = new Network(config(9), { registry }).init();
    const read = async (name: string) => {
      const t = net.getParam(name);
      const v = await values(t);
      t.dispose();
      return v;
    };
    // Independent replay: xavier from Rng(9), W first, then V (constants draw nothing).
    const xavier = registry.create('weightInit', 'xavier');
    const rng = new Rng(9);
    const w = Array.from(xavier.init({ shape: [4, 3], fanIn: 4, fanOut: 3, rng }));
    const v = Array.from(xavier.init({ shape: [4, 3], fanIn: 4, fanOut: 3, rng }));
    expect(await read('gated-dense_0/W')).toEqual(w);
    expect(await read('gated-dense_0/V')).toEqual(v);
    expect(w).not.toEqual(v);
    expect(await read('gated-dense_0/b')).toEqual([0.5, 0.5, 0.5]);
    expect(await read('gated-dense_0/c')).toEqual([-1, -1, -1]);
    const other = new Network(config(10), { registry }).init();
    const otherW = other.getParam('gated-dense_0/W');
    expect(await values(otherW)).not.toEqual(w);
    otherW.dispose();
    net.dispose();
    other.dispose();
  });

  it('round-trips its config through JSON to an identical layer', () => {
    const original = built({ nIn: 4, gateBiasInit: 1.5, weightInit: 'relu' });
    const json = JSON.parse(JSON.stringify(original.layer.config)) as Record<string, unknown>;
    const recreated = registry.create('layer', json);
    expect(recreated).toBeInstanceOf(GatedDense);
    expect(recreated.config).toEqual(original.layer.config);
    const { context, declarations } = buildContext();
    expect(recreated.build([4], context)).toEqual([3]);
    const describe = (ds: ParamDeclaration[]) => ds.map((d) => [d.name, d.shape, d.role, d.init.config]);
    expect(describe(declarations)).toEqual(describe(original.declarations));
  });

  it('rejects bad configs and inputs with typed errors naming what it received and expected', () => {
    expect(() => layer({ nOut: 0 })).toThrow(new ConfigError('Layer "g" (example/gated-dense): nOut must be a positive integer, received 0'));
    expect(() => layer({ nOut: '3' })).toThrow('nOut must be a positive integer, received "3"');
    expect(() => layer({ gateBiasInit: 'open' })).toThrow('gateBiasInit must be a finite number, received "open"');
    const l = layer({ nIn: 5 });
    let error: unknown;
    try {
      l.build([4], buildContext().context);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ShapeError);
    expect(error).toMatchObject({ message: 'Layer "g" (example/gated-dense): input has 4 features, expected nIn=5', received: [4], expected: [5] });
    expect(() => layer().build([2, 4], buildContext().context)).toThrow('input has shape [2, 4] per example, expected a flat vector [nIn]');
    expect(() => layer().forward(tf.zeros([1, 4]), {}, inference)).toThrow('is not built yet');
  });
});
