import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ActiveCheck, PassiveCheck } from '../routing/table/compiled-route.js';
import { type CheckResult, TargetState } from './target-state.js';

const CHECK: ActiveCheck = { path: '/health', intervalMs: 1_000, timeoutMs: 500, healthyThreshold: 2, unhealthyThreshold: 3 };
const PASSIVE: PassiveCheck = { unhealthyThreshold: 3, cooldownMs: 10_000 };
const good: CheckResult = { ok: true, at: 1, latencyMs: 1, status: 200, error: null };
const bad: CheckResult = { ok: false, at: 1, latencyMs: 1, status: null, error: 'ECONNREFUSED' };

const fresh = () => new TargetState('t', 'svc', 'http://t');

describe('TargetState: active checks', () => {
  it('starts healthy', () => {
    const state = fresh();
    assert.equal(state.healthy, true);
    assert.equal(state.reason, null);
  });

  it('goes down after unhealthy_threshold consecutive failures, not before', () => {
    const state = fresh();
    assert.equal(state.recordCheck(bad, CHECK), false);
    assert.equal(state.recordCheck(bad, CHECK), false);
    assert.equal(state.healthy, true);
    assert.equal(state.recordCheck(bad, CHECK), true, 'changed');
    assert.equal(state.healthy, false);
    assert.equal(state.reason, 'active_check');
    assert.equal(state.lastCheck, bad);
  });

  it('a success in between starts the count of failures again', () => {
    const state = fresh();
    state.recordCheck(bad, CHECK);
    state.recordCheck(bad, CHECK);
    state.recordCheck(good, CHECK);
    state.recordCheck(bad, CHECK);
    state.recordCheck(bad, CHECK);
    assert.equal(state.healthy, true);
  });

  it('comes back after healthy_threshold consecutive good checks, not before', () => {
    const state = fresh();
    for (let i = 0; i < 3; i++) state.recordCheck(bad, CHECK);
    assert.equal(state.recordCheck(good, CHECK), false);
    assert.equal(state.healthy, false);
    state.recordCheck(bad, CHECK);
    state.recordCheck(good, CHECK);
    assert.equal(state.healthy, false, 'the failure reset the count');
    assert.equal(state.recordCheck(good, CHECK), true);
    assert.equal(state.healthy, true);
  });

  it('forgets what the checks said when they are turned off', () => {
    const state = fresh();
    for (let i = 0; i < 3; i++) state.recordCheck(bad, CHECK);
    assert.equal(state.clearActive(), true);
    assert.equal(state.healthy, true);
    assert.equal(state.lastCheck, null);
  });
});

describe('TargetState: passive checks', () => {
  it('ejects after unhealthy_threshold consecutive failed requests, for the cooldown', () => {
    const state = fresh();
    assert.equal(state.recordTraffic(false, PASSIVE, 1_000), false);
    assert.equal(state.recordTraffic(false, PASSIVE, 1_000), false);
    assert.equal(state.recordTraffic(false, PASSIVE, 1_000), true);
    assert.equal(state.healthy, false);
    assert.equal(state.reason, 'passive');
    assert.equal(state.passiveDownUntil, 11_000);
  });

  it('a successful request resets the count', () => {
    const state = fresh();
    state.recordTraffic(false, PASSIVE, 0);
    state.recordTraffic(false, PASSIVE, 0);
    state.recordTraffic(true, PASSIVE, 0);
    state.recordTraffic(false, PASSIVE, 0);
    state.recordTraffic(false, PASSIVE, 0);
    assert.equal(state.healthy, true);
  });

  it('readmit() ends the ejection', () => {
    const state = fresh();
    for (let i = 0; i < 3; i++) state.recordTraffic(false, PASSIVE, 0);
    assert.equal(state.readmit(), true);
    assert.equal(state.healthy, true);
    assert.equal(state.passiveDownUntil, 0);
  });

  it('good active checks end an ejection early, after healthy_threshold of them', () => {
    const state = fresh();
    state.recordCheck(good, CHECK); // a success from before the ejection does not count
    for (let i = 0; i < 3; i++) state.recordTraffic(false, PASSIVE, 0);
    state.recordCheck(good, CHECK);
    assert.equal(state.healthy, false);
    state.recordCheck(good, CHECK);
    assert.equal(state.healthy, true);
    assert.equal(state.passiveDownUntil, 0);
  });
});

describe('TargetState: TTL', () => {
  it('a lapsed TTL takes it out whatever the checks say, and is named first', () => {
    const state = fresh();
    for (let i = 0; i < 3; i++) state.recordCheck(bad, CHECK);
    assert.equal(state.setTtlExpired(true), false, 'already down');
    assert.equal(state.reason, 'ttl_expired');
    state.recordCheck(good, CHECK);
    state.recordCheck(good, CHECK);
    assert.equal(state.healthy, false, 'good checks do not outweigh a lapsed TTL');
    assert.equal(state.setTtlExpired(false), true);
    assert.equal(state.healthy, true);
  });
});
