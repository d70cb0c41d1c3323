import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { eventually, GatewayProcess } from './helpers/gateway.js';
import { Upstream } from './helpers/upstream.js';

const PROBE = fileURLToPath(new URL('./helpers/async-hooks-probe.js', import.meta.url));

/** What the probe preloaded into the gateway said, in order (see helpers/async-hooks-probe.ts). */
const probeReports = (gateway: GatewayProcess): boolean[] =>
  gateway.logs().flatMap((line) => (typeof line.async_hooks_probe === 'boolean' ? [line.async_hooks_probe] : []));
const lastReport = (gateway: GatewayProcess) => probeReports(gateway).at(-1);

/**
 * The control plane's request stores (audit scope, nestjs-pino's request logger) would leave
 * Node.js 20's async hooks on for good after the first admin call or probe, and every proxied
 * request would pay for them (src/common/control-plane-storage.ts). They go off again once the
 * control plane is idle.
 */
describe('async hooks stay off the data plane', () => {
  let db: TestDatabase;
  const upstream = new Upstream('hooks');
  const gateways: GatewayProcess[] = [];

  const start = async (env: Record<string, string> = {}) => {
    const gateway = await GatewayProcess.start({ databaseUrl: db.url, nodeArgs: ['--import', PROBE], env });
    gateways.push(gateway);
    return gateway;
  };

  const controlPlaneCalls = async (gateway: GatewayProcess, suffix: string) => {
    await gateway.create([
      ['/admin/services', { name: `hooks-svc-${suffix}`, url: `${upstream.url}/svc` }],
      ['/admin/routes', { name: `hooks-route-${suffix}`, service: `hooks-svc-${suffix}`, paths: [`/api/v1/hooks-${suffix}/*`], auth: { required: false } }],
    ]);
    assert.equal((await gateway.admin('GET', '/admin/routes')).status, 200);
    assert.equal((await gateway.get('/ready')).status, 200);
    assert.equal((await gateway.get('/docs-json')).status, 200);
    // A call refused by validation ends early, through the error filter.
    assert.equal((await gateway.admin('POST', '/admin/routes', { name: 42 })).status, 400);
  };

  before(async () => {
    await upstream.start();
    db = await createTestDatabase('hooks');
  });

  after(async () => {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    await db?.drop();
    await upstream.stop();
  });

  it('turns them off once admin calls and probes are done, and keeps them off while proxying', async () => {
    const gateway = await start();
    await controlPlaneCalls(gateway, 'a');
    await eventually(() => lastReport(gateway) === false, 3_000);
    const reportsBefore = probeReports(gateway).length;

    for (let i = 0; i < 200; i++) assert.equal((await gateway.get(`/api/v1/hooks-a/items/${i}`)).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(probeReports(gateway).slice(reportsBefore), [], 'the hooks came back on during proxied traffic');

    // The audit log still names who made each change: the stores were on while it mattered.
    const audit = await gateway.admin('GET', '/admin/audit-log?entity_type=route');
    assert.equal(audit.status, 200);
    const entry = audit.body.data.find((row: { entity_name: string }) => row.entity_name === 'hooks-route-a');
    assert.equal(entry.actor, 'admin-key');
    assert.match(entry.request_id, /\S/);
    await eventually(() => lastReport(gateway) === false, 3_000);
  });

  it('the probe sees the hooks on when a store is left enabled', async () => {
    const gateway = await start({ ASYNC_HOOKS_PROBE_HOLD: '1' });
    await controlPlaneCalls(gateway, 'b');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(lastReport(gateway), true);
  });
});
