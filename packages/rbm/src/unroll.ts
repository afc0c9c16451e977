// The layers' and losses' config types (their config map entries), so the configs emitted here are checked.
import type {} from '@dl4ts/layers';
import type {} from '@dl4ts/losses';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, Network, ShapeError } from '@dl4ts/core';
import type { ComponentRef, LayerConfig, NetworkConfig, Registry } from '@dl4ts/core';
import { Rbm } from './rbm';
import type { HiddenUnit, VisibleUnit } from './units';

/** One pretrained RBM: a layer of a network, named. */
export interface RbmSource {
  readonly network: Network;
  readonly layer: string;
}

/** Options of {@link unrollAutoencoder}. */
export interface UnrollOptions {
  /**
   * With a network as source: the RBMs to unroll, bottom to top. They must be the network's first
   * layers, in order (the autoencoder's input is the network's input). Default: every RBM before
   * the first layer that is not one.
   */
  readonly layers?: readonly string[];
  /**
   * Loss of the reconstruction. Default: `'xent'` (binary cross-entropy) for binary visible units
   * of the bottom RBM, `'mse'` for gaussian and linear ones, `'mcxent'` for softmax ones.
   */
  readonly loss?: ComponentRef<'loss'>;
  /** Layer defaults of the unrolled network (its updater for fine-tuning, L2, ...). */
  readonly defaults?: NetworkConfig['defaults'];
  /** Seed of the unrolled network (shuffling, dropout). Default: the source network's seed. */
  readonly seed?: number;
  /** Registry that resolves `layers/dense` and `layers/output`. Default: the source network's. */
  readonly registry?: Registry;
}

/** The activation that computes a unit type's mean, so the unrolled forward equals propUp/propDown. */
function activationOf(unit: HiddenUnit | VisibleUnit): 'layers/sigmoid' | 'layers/relu' | 'layers/identity' | 'layers/softmax' {
  switch (unit) {
    case 'binary':
      return 'layers/sigmoid';
    case 'rectified':
      return 'layers/relu';
    case 'gaussian':
    case 'linear':
      return 'layers/identity';
    case 'softmax':
      return 'layers/softmax';
  }
}

function defaultLoss(unit: VisibleUnit): 'losses/xent' | 'losses/mcxent' | 'losses/mse' {
  if (unit === 'binary') return 'losses/xent';
  return unit === 'softmax' ? 'losses/mcxent' : 'losses/mse';
}

/** The RBMs to unroll, checked: all `rbm/rbm`, each one's hidden units feeding the next one's visible units. */
function resolveSources(source: Network | readonly RbmSource[], layers: readonly string[] | undefined): { network: Network; rbm: Rbm; name: string }[] {
  let picked: { network: Network; rbm: Rbm; name: string }[];
  if (source instanceof Network) {
    const all = source.layers;
    if (layers === undefined) {
      const firstOther = all.findIndex((l) => !(l instanceof Rbm));
      picked = all.slice(0, firstOther < 0 ? all.length : firstOther).map((l) => ({ network: source, rbm: l as Rbm, name: l.config.name }));
      if (picked.length === 0) {
        const first = all[0];
        throw new ConfigError(`unrollAutoencoder: the network's first layer "${first?.config.name}" is ${first?.key}, expected rbm/rbm: a deep autoencoder unrolls a stack of RBMs from the input up`);
      }
    } else {
      if (layers.length === 0) throw new ConfigError('unrollAutoencoder: layers is empty; expected the names of the RBMs to unroll, bottom to top');
      picked = layers.map((name, i) => {
        const layer = all[i];
        if (layer === undefined || layer.config.name !== name) {
          const at = all.findIndex((l) => l.config.name === name);
          const where = at < 0 ? `the network has no layer "${name}" (layers: ${all.map((l) => l.config.name).join(', ')})` : `"${name}" is layer ${at}`;
          throw new ConfigError(`unrollAutoencoder: layers[${i}] must be the network's layer ${i} ("${layer?.config.name}") so the stack starts at the input; ${where}`);
        }
        if (!(layer instanceof Rbm)) throw new ConfigError(`unrollAutoencoder: layer "${name}" is ${layer.key}, expected rbm/rbm; only RBM stacks can be unrolled`);
        return { network: source, rbm: layer, name };
      });
    }
  } else {
    if (source.length === 0) throw new ConfigError('unrollAutoencoder: received no RBMs; expected a network or a non-empty list of { network, layer }');
    picked = source.map(({ network, layer: name }, i) => {
      const layer = network.layers.find((l) => l.config.name === name);
      if (layer === undefined) throw new ConfigError(`unrollAutoencoder: source ${i} has no layer "${name}" (layers: ${network.layers.map((l) => l.config.name).join(', ')})`);
      if (!(layer instanceof Rbm)) throw new ConfigError(`unrollAutoencoder: source ${i} layer "${name}" is ${layer.key}, expected rbm/rbm; only RBM stacks can be unrolled`);
      return { network, rbm: layer, name };
    });
  }
  for (let i = 1; i < picked.length; i++) {
    const below = picked[i - 1] as (typeof picked)[number];
    const above = picked[i] as (typeof picked)[number];
    if (below.rbm.nOut !== above.rbm.nIn) {
      throw new ShapeError(`unrollAutoencoder: RBM "${above.name}" has ${above.rbm.nIn} visible units, expected ${below.rbm.nOut}, the hidden units of "${below.name}" below it`, [above.rbm.nIn], [below.rbm.nOut]);
    }
  }
  return picked;
}

/**
 * Unrolls a stack of pretrained RBMs into a deep autoencoder (Hinton and Salakhutdinov 2006): an
 * encoder of dense layers with each RBM's `W` and hidden bias `b`, bottom to top (the top RBM's
 * hidden units are the code), then a decoder of dense layers with the transposed weights `W^T`
 * and the visible biases `vb`, top to bottom, ending in an output layer that reconstructs the
 * input. Each layer's activation is the mean of its units (binary: sigmoid, gaussian or linear:
 * identity, rectified: relu, softmax: softmax), so before fine-tuning the forward pass is exactly
 * the RBMs' up passes followed by their down passes. Encoder and decoder weights are separate
 * copies (untied), as in the paper. For linear code units as in the paper, pretrain the top RBM
 * with `hiddenUnit: 'gaussian'`.
 *
 * The result is an ordinary, initialised {@link Network} (layers `encoder1..K`, `decoderK..1`,
 * `decoder1` the output layer), fine-tuned with `fit({ features: x, labels: x })` and saved or
 * loaded like any other. The source is left unchanged. Caller disposes the result.
 *
 * @example
 * ```ts
 * await pretrain(dbn, unlabeled(x), { epochs: 10 });
 * const ae = unrollAutoencoder(dbn, { defaults: { updater: { type: 'updaters/adam', learningRate: 1e-3 } } });
 * await ae.fit(DataSet.from(x, x), { epochs: 20 });
 * const code = ae.feedForward(x)[1]; // the code layer of a 2-RBM stack
 * ```
 */
export function unrollAutoencoder(source: Network | readonly RbmSource[], options: UnrollOptions = {}): Network {
  if (!(source instanceof Network) && options.layers !== undefined) throw new ConfigError('unrollAutoencoder: layers applies to a network source only; a list of { network, layer } already names the RBMs');
  const stack = resolveSources(source, options.layers);
  const first = stack[0] as (typeof stack)[number];
  const encoder = stack.map(({ rbm }, i): LayerConfig => ({ type: 'layers/dense', name: `encoder${i + 1}`, nOut: rbm.nOut, activation: activationOf(rbm.settings.hiddenUnit) }));
  const decoder = stack
    .map(({ rbm }, i): LayerConfig => {
      const activation = activationOf(rbm.settings.visibleUnit);
      const base = { name: `decoder${i + 1}`, nOut: rbm.nIn, activation };
      return i === 0 ? { type: 'layers/output' as const, ...base, loss: options.loss ?? defaultLoss(rbm.settings.visibleUnit) } : { type: 'layers/dense' as const, ...base };
    })
    .reverse();
  const config: NetworkConfig = {
    seed: options.seed ?? first.network.config.seed,
    input: first.rbm.nIn,
    ...(options.defaults === undefined ? {} : { defaults: options.defaults }),
    layers: [...encoder, ...decoder],
  };
  const net = new Network(config, { registry: options.registry ?? first.network.registry }).init();
  try {
    stack.forEach(({ network, name }, i) => {
      tf.tidy(() => {
        const W = network.getParam(`${name}/W`);
        net.setParam(`encoder${i + 1}/W`, W);
        net.setParam(`encoder${i + 1}/b`, network.getParam(`${name}/b`));
        net.setParam(`decoder${i + 1}/W`, tf.transpose(W));
        net.setParam(`decoder${i + 1}/b`, network.getParam(`${name}/vb`));
      });
    });
  } catch (error) {
    net.dispose();
    throw error;
  }
  return net;
}
