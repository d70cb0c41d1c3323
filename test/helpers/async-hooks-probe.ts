// Preloaded into a gateway process (`--import`) by test/async-hooks.e2e-spec.ts. Every 20 ms it
// checks whether async hooks track promises there, and prints a JSON line whenever that changes:
// {"async_hooks_probe":true|false}. With the hooks on, a promise reaction runs under the
// promise's own async id; with them off, under none (0).
//
// ASYNC_HOOKS_PROBE_HOLD=1 runs a store of its own first and never disables it, so that a test
// can see the probe report the hooks on.
import { AsyncLocalStorage, executionAsyncId } from 'node:async_hooks';

if (process.env.ASYNC_HOOKS_PROBE_HOLD === '1') new AsyncLocalStorage<boolean>().run(true, () => undefined);

const hooksOn = () => new Promise<boolean>((resolve) => setImmediate(() => void Promise.resolve().then(() => resolve(executionAsyncId() !== 0))));

let last: boolean | undefined;
setInterval(() => {
  void hooksOn().then((on) => {
    if (on === last) return;
    last = on;
    process.stdout.write(`${JSON.stringify({ async_hooks_probe: on })}\n`);
  });
}, 20).unref();
