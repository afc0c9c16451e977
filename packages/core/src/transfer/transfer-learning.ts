import { ConfigError, formatValue } from '../errors';
import { Network } from '../network';
import type { LayerConfig } from '../network-config';
import { DEFAULT_SEED } from '../network-config';
import type { ComponentRef } from '../registry';
import type { FineTuneConfig } from './transfer-common';
import { checkFineTune, copyParams, transferredLayer, withOptions } from './transfer-common';

/** What {@link TransferLearning.nOutReplace} and its graph twin take besides the new width. */
export interface NOutReplaceOptions {
  /** Initialiser of the replaced layer's fresh parameters (default: the layer's own). */
  readonly weightInit?: ComponentRef<'weightInit'>;
}

/** Checks a new `nOut`: a positive integer. */
export function checkNOut(owner: string, nOut: number): void {
  if (!Number.isInteger(nOut) || nOut <= 0) throw new ConfigError(`${owner}: nOut must be a positive integer, received ${formatValue(nOut)}`);
}

/**
 * DL4J's `TransferLearning.Builder` for a {@link Network}: a new network from a trained one, with
 * the layers up to one frozen as a feature extractor (no gradients, no updater state, parameters
 * bitwise unchanged by `fit`), output layers removed, replaced (a new `nOut`, fresh parameters,
 * and fresh parameters for the layer after it, whose input width changed) or added, and a
 * fine-tune configuration overriding the training options of the layers that still train. Every
 * parameter of a kept layer is copied from the source; the source is left as it is.
 *
 * @example
 * ```ts fragment
 * const student = new TransferLearning(trained)
 *   .fineTune({ updater: { type: 'updaters/adam', learningRate: 1e-3 } })
 *   .setFeatureExtractor('dense_1')
 *   .nOutReplace('output_2', 5)
 *   .build();
 * ```
 */
export class TransferLearning {
  private fine: FineTuneConfig = {};
  private extractor: string | undefined;
  private readonly replaced = new Map<string, NOutReplaceOptions & { nOut: number }>();
  private removed = 0;
  private readonly added: LayerConfig[] = [];

  constructor(private readonly source: Network) {}

  /** Training options for the layers that stay trainable, and the new network's seed. */
  fineTune(config: FineTuneConfig): this {
    checkFineTune(config);
    this.fine = structuredClone(config);
    return this;
  }

  /** Freezes `layerName` and every layer below it. */
  setFeatureExtractor(layerName: string): this {
    this.indexOf(layerName);
    this.extractor = layerName;
    return this;
  }

  /** Gives `layerName` a new `nOut` and fresh parameters, and fresh parameters to the layer after it. */
  nOutReplace(layerName: string, nOut: number, options: NOutReplaceOptions = {}): this {
    this.indexOf(layerName);
    checkNOut('nOutReplace', nOut);
    this.replaced.set(layerName, { ...options, nOut });
    return this;
  }

  /** Removes the output layer (add a new one with {@link TransferLearning.addLayer}). */
  removeOutputLayer(): this {
    return this.removeLayersFromOutput(1);
  }

  /** Removes the last `n` layers. */
  removeLayersFromOutput(n: number): this {
    if (!Number.isInteger(n) || n < 1 || n >= this.source.layers.length) {
      throw new ConfigError(`removeLayersFromOutput: n must be an integer from 1 to ${this.source.layers.length - 1} (the network has ${this.source.layers.length} layers), received ${formatValue(n)}`);
    }
    this.removed = n;
    return this;
  }

  /** Appends a layer, freshly initialised, after the kept ones (in call order). */
  addLayer(config: LayerConfig): this {
    this.added.push(structuredClone(config));
    return this;
  }

  /** The new network, initialised, its kept layers' parameters copied from the source. */
  build(): Network {
    const { source } = this;
    const names = source.layers.map((l) => l.config.name);
    const kept = names.length - this.removed;
    const frozenUpTo = this.extractor === undefined ? -1 : this.indexOf(this.extractor);
    for (const name of [...this.replaced.keys(), ...(this.extractor === undefined ? [] : [this.extractor])]) {
      if (names.indexOf(name) >= kept) throw new ConfigError(`TransferLearning: layer "${name}" is among the ${this.removed} removed from the output`);
    }
    const fresh = new Set<string>();
    const layers = source.config.layers.slice(0, kept).map((raw, i) => {
      const name = names[i] as string;
      const replacement = this.replaced.get(name);
      let config = withOptions(structuredClone(raw), { name });
      if (replacement !== undefined) {
        config = withOptions(config, { nOut: replacement.nOut, weightInit: replacement.weightInit });
        fresh.add(name);
        if (i + 1 < names.length) fresh.add(names[i + 1] as string);
      }
      return transferredLayer(config, i <= frozenUpTo, this.fine, source.registry);
    });
    for (const raw of this.added) layers.push(transferredLayer(raw, false, this.fine, source.registry));
    const network = new Network({ ...source.config, seed: this.fine.seed ?? source.config.seed ?? DEFAULT_SEED, layers }, { registry: source.registry, onWarning: source.onWarning }).init();
    for (const layer of network.layers.slice(kept)) fresh.add(layer.config.name);
    copyParams(source, network, fresh);
    return network;
  }

  private indexOf(layerName: string): number {
    const index = this.source.layers.findIndex((l) => l.config.name === layerName);
    if (index < 0) throw new ConfigError(`TransferLearning: no layer named "${layerName}"; layers: ${this.source.layers.map((l) => l.config.name).join(', ')}`);
    return index;
  }
}
