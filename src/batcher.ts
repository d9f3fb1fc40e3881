/**
 * Natural batching (group commit): calls that arrive while a batch is in flight wait and go
 * together into the next one. There is no timer: when nothing is in flight a call starts its
 * batch at once (after the current tick's other calls have joined it), so an idle system answers
 * without delay and a busy one carries many calls per round trip.
 *
 * `run` gets the items of one batch and answers one settled result per item, in order, so one
 * item's failure is its caller's alone. A `run` that throws fails every caller of that batch.
 */

export type Settled<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

export interface BatcherOptions {
  /** Most items per batch (default 64). */
  readonly maxBatch?: number;
  /** Batches in flight at once (default 1: the classic group commit). */
  readonly maxInFlight?: number;
}

export interface BatcherStats {
  readonly batches: number;
  readonly items: number;
  readonly largest: number;
}

interface Pending<I, O> {
  readonly item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

export class Batcher<I, O> {
  readonly #run: (items: readonly I[]) => Promise<readonly Settled<O>[]>;
  readonly #maxBatch: number;
  readonly #maxInFlight: number;
  #pending: Pending<I, O>[] = [];
  #inFlight = 0;
  #scheduled = false;
  #batches = 0;
  #items = 0;
  #largest = 0;

  constructor(run: (items: readonly I[]) => Promise<readonly Settled<O>[]>, options: BatcherOptions = {}) {
    this.#run = run;
    this.#maxBatch = Math.max(1, options.maxBatch ?? 64);
    this.#maxInFlight = Math.max(1, options.maxInFlight ?? 1);
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  /** Batches run so far, items carried and the largest batch (for tests and benchmarks). */
  get stats(): BatcherStats {
    return { batches: this.#batches, items: this.#items, largest: this.#largest };
  }

  /** Batches currently in flight (0 when idle). */
  get inFlight(): number {
    return this.#inFlight + (this.#scheduled ? 1 : 0);
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.#maxInFlight || this.#pending.length === 0) return;
    this.#scheduled = true;
    // A microtask, not a timer: the calls of this tick join, then the batch starts.
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    if (this.#inFlight >= this.#maxInFlight || this.#pending.length === 0) return;
    const batch = this.#pending.splice(0, this.#maxBatch);
    this.#inFlight++;
    this.#batches++;
    this.#items += batch.length;
    this.#largest = Math.max(this.#largest, batch.length);
    void this.#settle(batch);
    // More waiting than one batch holds and room for another: start it too.
    this.#schedule();
  }

  async #settle(batch: readonly Pending<I, O>[]): Promise<void> {
    let results: readonly Settled<O>[];
    try {
      results = await this.#run(batch.map((p) => p.item));
    } catch (error) {
      results = batch.map(() => ({ ok: false, error }));
    }
    // Done before the callers hear back, so a caller's next call sees an idle batcher.
    this.#inFlight--;
    batch.forEach((p, i) => {
      const r = results[i];
      if (r === undefined) p.reject(new Error('batch returned no result for an item'));
      else if (r.ok) p.resolve(r.value);
      else p.reject(r.error);
    });
    this.#schedule();
  }
}

/** Runs `fn` and captures its outcome as a Settled value. */
export async function settle<T>(fn: () => Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error };
  }
}
