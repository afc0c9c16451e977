import { deferred } from './deferred';
import type { Slot } from './fit-run';
import type { FromWorker, ToWorker } from './protocol';
import type { WorkerTransport } from './transport';

/** The trainer's workers: starting them, messages both ways, which are alive, ending them. */
export class WorkerPool {
  readonly slots: Slot[] = [];
  /** Replacements for lost workers, started but not yet taking part (see {@link WorkerPool.admit}). */
  readonly joining: Slot[] = [];
  private route: { onMessage: (slot: Slot, message: FromWorker) => void; onFailure: (slot: Slot, error: Error, exitCode: number | undefined) => void } | undefined;

  constructor(private readonly transport: WorkerTransport) {}

  /** Starts `count` workers, routing their messages and failures to the trainer. */
  spawn(count: number, onMessage: (slot: Slot, message: FromWorker) => void, onFailure: (slot: Slot, error: Error, exitCode: number | undefined) => void): void {
    this.route = { onMessage, onFailure };
    for (let index = 0; index < count; index++) this.slots.push(this.start(index));
  }

  private start(index: number): Slot {
    const { onMessage, onFailure } = this.route as NonNullable<WorkerPool['route']>;
    const handle = this.transport.spawn(index);
    const slot: Slot = { index, handle, alive: true, ready: deferred<void>(), updatersLoaded: false };
    handle.onMessage((message) => onMessage(slot, message as FromWorker));
    handle.onFailure((error, exitCode) => onFailure(slot, error, exitCode));
    return slot;
  }

  /** Starts a replacement for lost worker `index` (the transport found a new process for it); undefined when it cannot. */
  respawn(index: number): Slot | undefined {
    const old = this.slots.find((s) => s.index === index);
    if (old === undefined || old.alive || this.joining.some((s) => s.index === index)) return undefined;
    const slot = this.start(index);
    this.joining.push(slot);
    return slot;
  }

  /** A replacement takes its index's place: it is dealt minibatches and averaged from now on. */
  admit(slot: Slot): void {
    this.joining.splice(this.joining.indexOf(slot), 1);
    this.slots[this.slots.findIndex((s) => s.index === slot.index)] = slot;
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

  /** Ends one worker without waiting for it (a replacement that has not joined leaves the queue). */
  kill(slot: Slot): void {
    const joining = this.joining.indexOf(slot);
    if (joining >= 0) this.joining.splice(joining, 1);
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
    const all = [...this.slots, ...this.joining.splice(0)];
    for (const slot of all) slot.alive = false;
    await Promise.all(all.map((s) => s.handle.terminate()));
  }
}
