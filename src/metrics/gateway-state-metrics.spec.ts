import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Gauge, Registry } from 'prom-client';
import { GatewayEvents } from '../common/gateway-events.js';
import { RouteTable } from '../routing/table/route-table.js';
import type { RouteTableService } from '../routing/table/route-table.service.js';
import { circuitStateOf, GatewayStateMetrics } from './gateway-state-metrics.js';

/** The listener against a registry of its own and a route table the test swaps by hand. */
function setup() {
  const registry = new Registry();
  const gauge = (name: string, labelNames: string[] = []) => new Gauge({ name, help: name, labelNames, registers: [registry] });
  const counter = (name: string, labelNames: string[]) => new Counter({ name, help: name, labelNames, registers: [registry] });
  const events = new GatewayEvents();
  const swapListeners: Array<(table: RouteTable) => void> = [];
  const routes = { isLoaded: false, current: RouteTable.empty(), onSwap: (listener: (table: RouteTable) => void) => (swapListeners.push(listener), () => undefined) };
  const state = new GatewayStateMetrics(
    events,
    routes as unknown as RouteTableService,
    gauge('target_healthy', ['service', 'target']),
    gauge('circuit_state', ['service']),
    counter('circuit_opened', ['service']),
    counter('rate_limited', ['scope', 'route']),
    gauge('store_degraded'),
    counter('auth_failures', ['reason', 'route']),
    gauge('config_version'),
    gauge('config_applied_at'),
    gauge('routes'),
    gauge('services'),
  );
  state.onModuleInit();
  const swap = (services: Array<{ name: string; targets: string[] }>) => {
    const table = RouteTable.compile(
      7,
      services.map((s) => ({
        id: s.name,
        name: s.name,
        connectTimeoutMs: 1000,
        timeoutMs: 1000,
        retries: 0,
        targets: s.targets.map((url, i) => ({ id: `${s.name}-${i}`, url, weight: 1 })),
      })) as never,
      [],
    );
    for (const listener of swapListeners) listener(table);
  };
  const text = () => registry.metrics();
  return { events, state, swap, text };
}

describe('GatewayStateMetrics', () => {
  it('gives every configured target and service a series, healthy and closed until told otherwise', async () => {
    const { swap, text, state } = setup();
    swap([{ name: 'orders', targets: ['http://10.0.0.5:8080', 'http://10.0.0.6:8080'] }]);
    const out = await text();
    assert.match(out, /target_healthy\{service="orders",target="http:\/\/10\.0\.0\.5:8080"\} 1/);
    assert.match(out, /target_healthy\{service="orders",target="http:\/\/10\.0\.0\.6:8080"\} 1/);
    assert.match(out, /circuit_state\{service="orders"\} 0/);
    assert.deepEqual(state.targets(), { total: 2, unhealthy: 0 });
  });

  it('follows target.health and circuit.changed, counts openings, and forgets removed services', async () => {
    const { events, swap, text, state } = setup();
    swap([
      { name: 'orders', targets: ['http://10.0.0.5:8080', 'http://10.0.0.6:8080'] },
      { name: 'billing', targets: ['http://10.0.1.5:8080'] },
    ]);
    events.emit('target.health', { service: 'orders', target: 'http://10.0.0.5:8080', healthy: false, reason: 'timeout' });
    events.emit('circuit.changed', { service: 'billing', from: 'CLOSED', to: 'OPEN' });
    events.emit('circuit.changed', { service: 'billing', from: 'OPEN', to: 'HALF_OPEN' });
    events.emit('circuit.changed', { service: 'billing', from: 'HALF_OPEN', to: 'OPEN' });
    let out = await text();
    assert.match(out, /target_healthy\{service="orders",target="http:\/\/10\.0\.0\.5:8080"\} 0/);
    assert.match(out, /circuit_state\{service="billing"\} 2/);
    assert.match(out, /circuit_opened\{service="billing"\} 2/);
    assert.deepEqual(state.targets(), { total: 3, unhealthy: 1 });
    assert.deepEqual([...state.circuitStates()], [['orders', 'closed'], ['billing', 'open']]);

    // A new table keeps what is known about targets that stay, and drops what is gone.
    swap([{ name: 'orders', targets: ['http://10.0.0.5:8080'] }]);
    out = await text();
    assert.match(out, /target_healthy\{service="orders",target="http:\/\/10\.0\.0\.5:8080"\} 0/);
    assert.doesNotMatch(out, /10\.0\.0\.6|billing",target/);
    assert.doesNotMatch(out, /circuit_state\{service="billing"\}/);
    assert.deepEqual(state.targets(), { total: 1, unhealthy: 1 });

    events.emit('target.health', { service: 'orders', target: 'http://10.0.0.5:8080', healthy: true, reason: null });
    assert.deepEqual(state.targets(), { total: 1, unhealthy: 0 });
  });

  it('counts rate-limit and auth refusals by their bounded labels and follows the config', async () => {
    const { events, text } = setup();
    events.emit('rate_limit.refused', { scope: 'ip', route: 'jobs' });
    events.emit('rate_limit.refused', { scope: 'ip', route: 'jobs' });
    events.emit('rate_limit.refused', { scope: 'global', route: null });
    events.emit('auth.failed', { reason: 'expired', method: 'GET', route: 'jobs' });
    events.emit('rate_limit.store', { degraded: true });
    events.emit('config.applied', { version: 12, routes: 3, services: 2 });
    const out = await text();
    assert.match(out, /rate_limited\{scope="ip",route="jobs"\} 2/);
    assert.match(out, /rate_limited\{scope="global",route="_unmatched"\} 1/);
    assert.match(out, /auth_failures\{reason="expired",route="jobs"\} 1/);
    assert.match(out, /store_degraded 1/);
    assert.match(out, /config_version 12/);
    assert.match(out, /routes 3/);
    assert.match(out, /services 2/);
  });

  it('reads circuit states however the breaker spells them', () => {
    assert.equal(circuitStateOf('CLOSED'), 'closed');
    assert.equal(circuitStateOf('half-open'), 'half_open');
    assert.equal(circuitStateOf('HALF_OPEN'), 'half_open');
    assert.equal(circuitStateOf('Open'), 'open');
    assert.equal(circuitStateOf('melted'), undefined);
  });
});
