import { deserializeAny, serializeModel } from '../io/model-artifact';
import type { Model } from '../model';

/**
 * Keeps the best (and optionally the latest) model seen by early stopping (DL4J's
 * `EarlyStoppingModelSaver`). A saver stores a snapshot: later training does not change it.
 */
export interface ModelSaver {
  saveBest(model: Model, score: number): Promise<void>;
  saveLatest(model: Model, score: number): Promise<void>;
  /**
   * A new model (network or graph, as saved) holding the best snapshot, built through `like`'s
   * registry (the caller disposes it); undefined if none was saved.
   */
  getBest(like: Model): Promise<Model | undefined>;
  getLatest(like: Model): Promise<Model | undefined>;
}

/**
 * Keeps snapshots in memory as model artifacts (parameters, updater state, counters), so the best
 * model costs bytes, not live tensors. `getBest(network)` rebuilds it through `network`'s registry.
 */
export class InMemoryModelSaver implements ModelSaver {
  private best: Uint8Array | undefined;
  private latest: Uint8Array | undefined;

  async saveBest(model: Model): Promise<void> {
    this.best = await serializeModel(model);
  }

  async saveLatest(model: Model): Promise<void> {
    this.latest = await serializeModel(model);
  }

  getBest(like: Model): Promise<Model | undefined> {
    return Promise.resolve(this.best && deserializeAny(this.best, { registry: like.registry }));
  }

  getLatest(like: Model): Promise<Model | undefined> {
    return Promise.resolve(this.latest && deserializeAny(this.latest, { registry: like.registry }));
  }
}
