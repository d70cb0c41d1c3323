import type { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The control plane's AsyncLocalStorage instances (the audit scope, nestjs-pino's request
 * logger), switched off whenever no control-plane work is in flight.
 *
 * On Node.js 20 the first `run()` of any AsyncLocalStorage turns on async hooks for the whole
 * process, and they stay on: every promise, tick and socket write of the data plane then pays for
 * propagating stores that only the control plane reads. One admin call or probe was enough to
 * leave them on for good; in the benchmark they took 5% of the plain route's CPU samples and
 * 1.6 KB of its 22 KB of garbage per request, and turning them off cut its CPU per request by
 * about 10% (bench/RESULTS.md). `disable()` takes the hooks off once no instance is enabled, and
 * the next `run()` puts them back.
 *
 * Work that reads a store holds it from start to end: a control-plane request until its response
 * closes, an audited handler until it has finished (a client that hangs up early must not leave
 * the handler's audit entry without its actor).
 */
export class ControlPlaneStorage {
  private readonly storages = new Set<AsyncLocalStorage<unknown>>();
  private holds = 0;

  register(storage: AsyncLocalStorage<unknown>): void {
    this.storages.add(storage);
  }

  /** Keeps the stores on until the returned release is called (once; later calls do nothing). */
  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holds === 0) for (const storage of this.storages) storage.disable();
    };
  }

  /** Turns the stores off now unless something holds them (after start-up work that ran outside any request). */
  settle(): void {
    this.hold()();
  }

  get inFlight(): number {
    return this.holds;
  }
}

export const controlPlaneStorage = new ControlPlaneStorage();

/**
 * nestjs-pino keeps its request store in a module its package does not export
 * (`dist/esm/storage.js` in 5.x, beside the entry point). Undefined if a later version moved it:
 * the request logger then keeps working and only the hooks stay on (a spec pins this).
 */
export async function nestjsPinoStorage(): Promise<AsyncLocalStorage<unknown> | undefined> {
  try {
    const module = (await import(new URL('./storage.js', import.meta.resolve('nestjs-pino')).href)) as { storage?: unknown };
    return isAsyncLocalStorage(module.storage) ? module.storage : undefined;
  } catch {
    return undefined;
  }
}

function isAsyncLocalStorage(value: unknown): value is AsyncLocalStorage<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as AsyncLocalStorage<unknown>).disable === 'function' && typeof (value as AsyncLocalStorage<unknown>).run === 'function';
}
