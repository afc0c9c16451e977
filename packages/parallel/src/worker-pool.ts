import { deferred } from './deferred';
import type { Slot } from './fit-run';
import type { FromWorker, ToWorker } from './protocol';
import type { WorkerTransport } from './transport';

/** The trainer's workers: starting them, messages both ways, which are alive, ending them. */
export class WorkerPool {
  readonly slots: Slot[] = [];

  constructor(private readonly transport: WorkerTransport) {}

  /** Starts `count` workers, routing their messages and failures to the trainer. */
  spawn(count: number, onMessage: (slot: Slot, message: FromWorker) => void, onFailure: (slot: Slot, error: Error, exitCode: number | undefined) => void): void {
    for (let index = 0; index < count; index++) {
      const handle = this.transport.spawn(index);
      const slot: Slot = { index, handle, alive: true, ready: deferred<void>(), updatersLoaded: false };
      this.slots.push(slot);
      handle.onMessage((message) => onMessage(slot, message as FromWorker));
      handle.onFailure((error, exitCode) => onFailure(slot, error, exitCode));
    }
  }

  live(): Slot[] {
    return this.slots.filter((s) => s.alive);
  }

  /** Posts to a live worker; a dead one is skipped. */
  post(slot: Slot, message: ToWorker, transfer?: ArrayBuffer[]): void {
    if (slot.alive) slot.handle.post(message, transfer);
  }

  /** Posts the same message to every live worker (buffers in it are shared or copied, never moved). */
  broadcast(message: ToWorker): void {
    for (const slot of this.live()) this.post(slot, message);
  }

  /** Whether the live workers keep the host process running. */
  keepAlive(alive: boolean): void {
    for (const slot of this.live()) slot.handle.keepAlive?.(alive);
  }

  /** Ends one worker without waiting for it. */
  kill(slot: Slot): void {
    if (!slot.alive) return;
    slot.alive = false;
    void slot.handle.terminate();
  }

  /** Each live worker's state (see `ParallelTrainer.workerStates`). */
  snapshots(updaters: boolean): Promise<Float32Array[]> {
    return Promise.all(
      this.live().map((slot) => {
        slot.snapshot = deferred<Float32Array>();
        this.post(slot, { type: 'snapshot', updaters });
        return slot.snapshot.promise;
      }),
    );
  }

  /** Ends every worker and waits until they are gone. */
  async close(): Promise<void> {
    for (const slot of this.slots) slot.alive = false;
    await Promise.all(this.slots.map((s) => s.handle.terminate()));
  }
}
