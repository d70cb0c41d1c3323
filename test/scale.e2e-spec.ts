/**
 * Three gateway instances on one PostgreSQL database and one Redis, as a Kubernetes Deployment
 * runs them: a change made through one is served by all within a second, and a rolling restart
 * under load loses no request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { eventually, GatewayProcess, type GatewayOptions } from './helpers/gateway.js';
import { sleep } from './helpers/load.js';
import { dropRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from './helpers/redis.js';
import { Upstream } from './helpers/upstream.js';

const INSTANCES = 3;
const CLIENTS = 6;
/** Long enough that requests are still in flight when an instance is told to stop. */
const UPSTREAM_DELAY_MS = 200;
/** What preStop buys in Kubernetes: the endpoint is out of rotation before SIGTERM arrives. */
const OUT_OF_ROTATION_BEFORE_SIGTERM_MS = 30;

interface Slot {
  gateway: GatewayProcess;
  /** False from the moment the "Service" stops sending to it until its replacement is ready. */
  inRotation: boolean;
}

interface LoadResult {
  ok: number;
  failures: string[];
  perInstance: number[];
}

/**
 * Clients that each send one request at a time, round-robin over the instances in rotation, as a
 * Service would after preStop: an instance taken out of rotation gets no new request.
 */
function startLoad(slots: Slot[], path: string): { stop: () => Promise<LoadResult> } {
  const result: LoadResult = { ok: 0, failures: [], perInstance: slots.map(() => 0) };
  let running = true;
  let turn = 0;
  const client = async () => {
    while (running) {
      const live = slots.map((slot, index) => ({ slot, index })).filter(({ slot }) => slot.inRotation);
      if (live.length === 0) {
        await sleep(5);
        continue;
      }
      const { slot, index } = live[turn++ % live.length];
      try {
        const response = await fetch(`${slot.gateway.url}${path}`);
        await response.arrayBuffer();
        if (response.status === 200) {
          result.ok++;
          result.perInstance[index]++;
        } else result.failures.push(`instance ${index}: HTTP ${response.status}`);
      } catch (error) {
        result.failures.push(`instance ${index}: ${(error as Error).message} ${String((error as { cause?: unknown }).cause ?? '')}`);
      }
    }
  };
  const clients = Array.from({ length: CLIENTS }, client);
  return {
    stop: async () => {
      running = false;
      await Promise.all(clients);
      return result;
    },
  };
}

describe(`${INSTANCES} gateway instances on one PostgreSQL and one Redis`, () => {
  let db: TestDatabase;
  const redisPrefix = uniqueRedisPrefix('scale');
  const upstream = new Upstream('scale');
  const slots: Slot[] = [];
  let options: GatewayOptions;

  before(async () => {
    await upstream.start();
    db = await createTestDatabase('scale');
    options = { databaseUrl: db.url, env: { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: redisPrefix } };
    // Started together: the migration lock makes them take turns on the schema.
    const gateways = await Promise.all(Array.from({ length: INSTANCES }, () => GatewayProcess.start(options)));
    for (const gateway of gateways) slots.push({ gateway, inRotation: true });
  });

  after(async () => {
    await Promise.all(slots.map((slot) => slot.gateway.stop()));
    await db?.drop();
    await dropRedisPrefix(redisPrefix);
    await upstream.stop();
  });

  it('serves on every instance, within 1 s, a route created through one of them', async (t) => {
    const [writer] = slots.map((slot) => slot.gateway);
    await writer.create([['/admin/services', { name: 'scale', url: upstream.url }]]);
    for (const { gateway } of slots) assert.equal((await gateway.get('/api/v1/scale/x')).status, 404, 'no route yet');

    const created = Date.now();
    await writer.create([['/admin/routes', { name: 'scale', service: 'scale', paths: ['/api/v1/scale/*'], strip_prefix: true, auth: { required: false } }]]);
    const took = await Promise.all(
      slots.map(async ({ gateway }) => {
        await eventually(async () => (await gateway.get('/api/v1/scale/x')).status === 200, 1000, 10);
        return Date.now() - created;
      }),
    );
    t.diagnostic(`route served by instance 1, 2, 3 after ${took.join(', ')} ms (from the 201)`);
    for (const ms of took) assert.ok(ms <= 1000, `served after ${ms} ms`);
  });

  it('a rolling restart under load (out of rotation, SIGTERM, exit 0, start, ready) fails no request', async (t) => {
    const load = startLoad(slots, `/api/v1/scale/delay/${UPSTREAM_DELAY_MS}`);
    const drained: number[] = [];
    const rollingRestart = async () => {
      await sleep(500);
      for (const [index, slot] of slots.entries()) {
        slot.inRotation = false;
        await sleep(OUT_OF_ROTATION_BEFORE_SIGTERM_MS);
        const stopping = slot.gateway;
        assert.equal(await stopping.stop('SIGTERM'), 0, `instance ${index} exit code\n${stopping.output.slice(-2000)}`);
        const draining = await stopping.logLine((line) => line.msg === 'draining');
        drained.push(Number(draining.in_flight));
        slot.gateway = await GatewayProcess.start(options);
        // The restarted instance serves the shared configuration it loaded at start.
        assert.equal((await slot.gateway.get('/api/v1/scale/delay/1')).status, 200, `restarted instance ${index}`);
        slot.inRotation = true;
        await sleep(300);
      }
    };
    const restarted = await rollingRestart().then(
      () => undefined,
      (error: unknown) => error,
    );
    const result = await load.stop();
    if (restarted) throw restarted;
    t.diagnostic(
      `requests: ${result.ok} ok, ${result.failures.length} failed; per instance ${result.perInstance.join(', ')}; ` +
        `in flight at each SIGTERM: ${drained.join(', ')}`,
    );
    assert.deepEqual(result.failures, []);
    assert.ok(drained.some((n) => n > 0), 'some requests were in flight at a SIGTERM, so the drain was exercised');
    for (const [index, count] of result.perInstance.entries()) assert.ok(count > 0, `instance ${index} served load`);
  });
});
