import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { GatewayProcess } from './helpers/gateway.js';
import { runConcurrently, tally } from './helpers/load.js';
import { rawRequest, Upstream } from './helpers/upstream.js';

describe('load balancing', () => {
  let db: TestDatabase;
  let gateway: GatewayProcess;
  const a = new Upstream('a');
  const b = new Upstream('b');
  const c = new Upstream('c');
  const upstreams = [a, b, c];

  const service = (name: string, settings: Record<string, unknown>, targets: Array<[Upstream | string, number]>) => ({
    name,
    retries: 0,
    ...settings,
    targets: targets.map(([target, weight]) => ({ url: typeof target === 'string' ? target : target.url, weight })),
  });

  before(async () => {
    for (const upstream of upstreams) await upstream.start();
    db = await createTestDatabase('balancing');
    gateway = await GatewayProcess.start({ databaseUrl: db.url });
    await gateway.create([
      ['/admin/services', service('weighted', { load_balancing: 'weighted' }, [[a, 10], [b, 20], [c, 70]])],
      ['/admin/services', service('round-robin', { load_balancing: 'round_robin' }, [[a, 1], [b, 9]])],
      // The first target's base path makes every request to it slow; the second answers at once.
      ['/admin/services', service('least', { load_balancing: 'least_connections' }, [[`${a.url}/delay/300`, 100], [`${b.url}/fast`, 100]])],
      ['/admin/services', service('by-user', { load_balancing: 'consistent_hash', hash_on: 'header', hash_on_header: 'X-User' }, [[a, 100], [b, 100], [c, 100]])],
      ['/admin/services', service('by-ip', { load_balancing: 'consistent_hash', hash_on: 'ip' }, [[a, 100], [b, 100], [c, 100]])],
      ['/admin/routes', { auth: { required: false }, name: 'weighted', service: 'weighted', paths: ['/api/v1/weighted'] }],
      ['/admin/routes', { auth: { required: false }, name: 'round-robin', service: 'round-robin', paths: ['/api/v1/rr'] }],
      ['/admin/routes', { auth: { required: false }, name: 'least', service: 'least', paths: ['/api/v1/least'], strip_prefix: true }],
      ['/admin/routes', { auth: { required: false }, name: 'by-user', service: 'by-user', paths: ['/api/v1/by-user'] }],
      ['/admin/routes', { auth: { required: false }, name: 'by-ip', service: 'by-ip', paths: ['/api/v1/by-ip'] }],
    ]);
  });

  after(async () => {
    await gateway?.stop();
    await db?.drop();
    for (const upstream of upstreams) await upstream.stop();
  });

  beforeEach(() => {
    for (const upstream of upstreams) upstream.reset();
  });

  it('weighted: 10,000 requests land within ±5% of the weights 10:20:70', async (t) => {
    const statuses = await runConcurrently(10_000, 32, async () => {
      const response = await fetch(`${gateway.url}/api/v1/weighted`);
      await response.arrayBuffer();
      return response.status;
    });
    assert.deepEqual([...tally(statuses)], [[200, 10_000]]);
    const counts = upstreams.map((u) => u.requests.length);
    t.diagnostic(`a:b:c = ${counts.join(':')}`);
    [1_000, 2_000, 7_000].forEach((expected, i) => {
      assert.ok(Math.abs(counts[i] - expected) <= expected * 0.05, `${upstreams[i].name}: ${counts[i]} requests, expected ${expected} ± 5%`);
    });
  });

  it('round_robin: takes each target in turn, whatever the weights', async () => {
    for (let i = 0; i < 100; i++) assert.equal((await gateway.fetch('/api/v1/rr')).status, 200);
    assert.equal(a.requests.length, 50);
    assert.equal(b.requests.length, 50);
  });

  it('least_connections: sends most requests to the target that frees up fastest', async (t) => {
    await runConcurrently(60, 8, async () => assert.equal((await gateway.fetch('/api/v1/least')).status, 200));
    const slow = a.requests.length;
    const fast = b.requests.length;
    t.diagnostic(`slow target ${slow}, fast target ${fast}`);
    assert.equal(slow + fast, 60);
    // Round robin would split 30:30; with 8 in flight the slow target holds a few at most.
    assert.ok(fast >= 45, `the fast target served only ${fast} of 60`);
  });

  it('consistent_hash on a header: each user stays on one target, and users spread over all', async () => {
    const users = Array.from({ length: 30 }, (_, i) => `user-${i}`);
    const placement = new Map<string, Set<string>>();
    for (let round = 0; round < 5; round++) {
      await runConcurrently(users.length, 8, async (i) => {
        const reply = await gateway.fetch('/api/v1/by-user', { headers: { 'x-user': users[i] } });
        assert.equal(reply.status, 200);
        const set = placement.get(users[i]) ?? new Set<string>();
        set.add(reply.headers.get('x-upstream')!);
        placement.set(users[i], set);
      });
    }
    for (const [user, targets] of placement) assert.equal(targets.size, 1, `${user} went to ${[...targets].join(', ')}`);
    const used = new Set([...placement.values()].map((targets) => [...targets][0]));
    assert.equal(used.size, 3, `30 users used only ${[...used].join(', ')}`);
  });

  it('consistent_hash on the client IP: each address stays on one target, and addresses spread', async () => {
    const addresses = Array.from({ length: 24 }, (_, i) => `127.0.0.${i + 2}`);
    const placement = new Map<string, Set<string>>();
    for (let round = 0; round < 4; round++) {
      for (const localAddress of addresses) {
        const reply = await rawRequest(`${gateway.url}/api/v1/by-ip`, { localAddress });
        assert.equal(reply.status, 200);
        const seen = JSON.parse(reply.body);
        assert.equal(seen.headers['x-forwarded-for'], localAddress);
        const set = placement.get(localAddress) ?? new Set<string>();
        set.add(seen.upstream);
        placement.set(localAddress, set);
      }
    }
    for (const [address, targets] of placement) assert.equal(targets.size, 1, `${address} went to ${[...targets].join(', ')}`);
    assert.ok(new Set([...placement.values()].map((targets) => [...targets][0])).size >= 2, 'addresses spread over targets');
  });

  it('consistent_hash: a change of the target set moves only some keys', async () => {
    const users = Array.from({ length: 60 }, (_, i) => `mover-${i}`);
    const where = async () =>
      runConcurrently(users.length, 8, async (i) => (await gateway.fetch('/api/v1/by-user', { headers: { 'x-user': users[i] } })).headers.get('x-upstream'));
    const before = await where();
    const d = await new Upstream('d').start();
    try {
      const patched = await gateway.admin('PATCH', '/admin/services/by-user', {
        targets: [{ url: a.url }, { url: b.url }, { url: c.url }, { url: d.url }],
      });
      assert.equal(patched.status, 200);
      const after = await where();
      const moved = after.filter((target, i) => target !== before[i]);
      assert.ok(moved.every((target) => target === 'd'), 'keys move only to the new target');
      assert.ok(moved.length < users.length / 2, `${moved.length} of ${users.length} keys moved`);
    } finally {
      await gateway.admin('PATCH', '/admin/services/by-user', { targets: [{ url: a.url }, { url: b.url }, { url: c.url }] });
      await d.stop();
    }
  });
});
