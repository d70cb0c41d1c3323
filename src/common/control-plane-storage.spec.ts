import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { PinoLogger } from 'nestjs-pino';
import { ControlPlaneStorage, nestjsPinoStorage } from './control-plane-storage.js';

/**
 * Runs `body` (an async function's body) in a fresh Node.js process, where nothing but the code
 * under test turns async hooks on: node:test's own harness keeps them on in this one. `hooksOn()`
 * there tells whether promises are tracked: with the hooks on, a promise reaction runs under the
 * promise's own async id; with them off, under none (0). `later(storage)` is the store as a later
 * continuation (a timer) sees it. Returns what `body` returns.
 */
function inFreshProcess(body: string): unknown {
  const moduleUrl = new URL('./control-plane-storage.js', import.meta.url).href;
  const program = `
    import { AsyncLocalStorage, executionAsyncId } from 'node:async_hooks';
    import { ControlPlaneStorage } from ${JSON.stringify(moduleUrl)};
    const hooksOn = () => new Promise((resolve) => setImmediate(() => void Promise.resolve().then(() => resolve(executionAsyncId() !== 0))));
    const later = (storage) => new Promise((resolve) => setTimeout(() => resolve(storage.getStore()), 1));
    const result = await (async () => { ${body} })();
    process.stdout.write(JSON.stringify(result));
  `;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', program], { encoding: 'utf8' }));
}

describe('ControlPlaneStorage', () => {
  it('takes the async hooks off once the last hold is released, and a later run puts them back', () => {
    const seen = inFreshProcess(`
      const storages = new ControlPlaneStorage();
      const audit = new AsyncLocalStorage();
      storages.register(audit);
      const seen = { before: await hooksOn() };
      const release = storages.hold();
      seen.store = await audit.run('admin call', () => later(audit));
      seen.held = await hooksOn();
      release();
      seen.released = await hooksOn();
      const again = storages.hold();
      seen.storeAgain = await audit.run('second call', () => later(audit));
      seen.heldAgain = await hooksOn();
      again();
      seen.releasedAgain = await hooksOn();
      return seen;
    `);
    assert.deepEqual(seen, {
      before: false,
      store: 'admin call',
      held: true,
      released: false,
      storeAgain: 'second call',
      heldAgain: true,
      releasedAgain: false,
    });
  });

  it('keeps the stores while any hold is left: a handler outlives its client', () => {
    const seen = inFreshProcess(`
      const storages = new ControlPlaneStorage();
      const audit = new AsyncLocalStorage();
      storages.register(audit);
      const request = storages.hold();
      const handler = storages.hold();
      let resume;
      const paused = new Promise((resolve) => (resume = resolve));
      const actor = audit.run('admin-key', async () => {
        await paused;
        return later(audit);
      });
      request(); // the client hung up: its response closed before the handler finished
      const heldByHandler = storages.inFlight;
      resume();
      const seen = { heldByHandler, actor: await actor };
      handler();
      seen.inFlight = storages.inFlight;
      seen.hooks = await hooksOn();
      return seen;
    `);
    assert.deepEqual(seen, { heldByHandler: 1, actor: 'admin-key', inFlight: 0, hooks: false });
  });

  it('counts a release once, however often it is called', () => {
    const storages = new ControlPlaneStorage();
    const first = storages.hold();
    storages.hold();
    first();
    first();
    assert.equal(storages.inFlight, 1);
  });

  it('settle turns idle stores off and leaves held ones alone', () => {
    const seen = inFreshProcess(`
      const storages = new ControlPlaneStorage();
      const audit = new AsyncLocalStorage();
      storages.register(audit);
      audit.run('start-up', () => undefined);
      const release = storages.hold();
      storages.settle();
      const whileHeld = await hooksOn();
      release();
      audit.run('start-up', () => undefined);
      storages.settle();
      return { whileHeld, settled: await hooksOn() };
    `);
    assert.deepEqual(seen, { whileHeld: true, settled: false });
  });

  it("finds the store nestjs-pino's request logger reads", async () => {
    const storage = await nestjsPinoStorage();
    assert.ok(storage, 'nestjs-pino moved its storage module: update nestjsPinoStorage');
    const requestLogger = { marker: 'request-bound logger' };
    const logger = new PinoLogger({});
    assert.equal(
      storage.run({ logger: requestLogger }, () => logger.logger),
      requestLogger,
    );
  });
});
