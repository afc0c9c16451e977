import { deserializeModel, serializeModel } from '../io/model-artifact';
import type { Network } from '../network';

/**
 * Keeps the best (and optionally the latest) model seen by early stopping (DL4J's
 * `EarlyStoppingModelSaver`). A saver stores a snapshot: later training does not change it.
 */
export interface ModelSaver {
  saveBest(network: Network, score: number): Promise<void>;
  saveLatest(network: Network, score: number): Promise<void>;
  /** A new network holding the best snapshot (the caller disposes it); undefined if none was saved. */
  getBest(network: Network): Promise<Network | undefined>;
  getLatest(network: Network): Promise<Network | undefined>;
}

/**
 * Keeps snapshots in memory as model artifacts (parameters, updater state, counters), so the best
 * model costs bytes, not live tensors. `getBest(network)` rebuilds it through `network`'s registry.
 */
export class InMemoryModelSaver implements ModelSaver {
  private best: Uint8Array | undefined;
  private latest: Uint8Array | undefined;

  async saveBest(network: Network): Promise<void> {
    this.best = await serializeModel(network);
  }

  async saveLatest(network: Network): Promise<void> {
    this.latest = await serializeModel(network);
  }

  getBest(network: Network): Promise<Network | undefined> {
    return Promise.resolve(this.best && deserializeModel(this.best, { registry: network.registry }).network);
  }

  getLatest(network: Network): Promise<Network | undefined> {
    return Promise.resolve(this.latest && deserializeModel(this.latest, { registry: network.registry }).network);
  }
}
