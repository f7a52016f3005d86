/**
 * A FIFO lock. PGlite is one PostgreSQL backend with one session, so two Kysely transactions must never
 * share it at the same time: their statements would interleave inside one BEGIN…COMMIT. Waiters queue here
 * instead, in arrival order, which is what a connection pool of size one would do.
 */
export class Mutex {
  #locked = false;
  #waiters: Array<{ grant: () => void }> = [];

  /** Resolves when the caller holds the lock; rejects after `timeoutMs` with `onTimeout()`'s error. */
  lock(timeoutMs: number, onTimeout: () => Error): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(onTimeout());
      }, timeoutMs);
      // A waiting query must not keep a finished process alive.
      timer.unref?.();
      this.#waiters.push(waiter);
    });
  }

  unlock(): void {
    const next = this.#waiters.shift();
    if (next) next.grant();
    else this.#locked = false;
  }

  get waiting(): number {
    return this.#waiters.length;
  }
}
