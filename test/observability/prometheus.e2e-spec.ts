/**
 * A real Prometheus (Debian's package) against a real gateway: it scrapes /metrics every second,
 * answers PromQL with the request count sent, evaluates the alert rules without error, and runs
 * every dashboard query. promtool checks the rules, runs their unit tests and checks the config
 * shipped for docker-compose. Fails (never skips) when Prometheus is not installed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { eventually, GatewayProcess } from '../helpers/gateway.js';
import { PrometheusServer, requireBinary } from '../helpers/prometheus-server.js';
import { dashboardExpressions, grafanaToPromQL, ruleExpressions } from '../helpers/promql.js';
import { Upstream } from '../helpers/upstream.js';
import { repoPath } from '../deploy/support.js';

const ALERTS = repoPath('deploy/prometheus/alerts.yml');

function promtool(...args: string[]): string {
  return execFileSync(requireBinary('promtool'), args, { encoding: 'utf8', cwd: repoPath('deploy/prometheus'), timeout: 60_000 });
}

describe('promtool', () => {
  it('check rules: the alert rules are valid', () => {
    const out = promtool('check', 'rules', ALERTS);
    assert.match(out, /SUCCESS: \d+ rules found/);
    const alerts = ruleExpressions(ALERTS).map((r) => r.source);
    for (const name of ['GatewayHighErrorRatio', 'GatewayCircuitOpen', 'GatewayUpstreamTargetDown', 'GatewayHighP99Latency']) {
      assert.ok(alerts.includes(`rule ${name}`), `${name} missing`);
    }
  });

  it('test rules: every alert fires on its condition and stays quiet otherwise', () => {
    assert.match(promtool('test', 'rules', 'alerts.test.yml'), /SUCCESS/);
  });

  it('check config: the Prometheus configuration of docker-compose loads the rules', () => {
    assert.match(promtool('check', 'config', 'prometheus.yml'), /SUCCESS: 1 rule files found/);
  });
});

describe('a real Prometheus scraping the gateway', () => {
  let db: TestDatabase;
  let upstream: Upstream;
  let gateway: GatewayProcess;
  let prometheus: PrometheusServer;
  const SENT = 25;

  before(async () => {
    db = await createTestDatabase('prometheus');
    upstream = await new Upstream('alpha').start();
    gateway = await GatewayProcess.start({ databaseUrl: db.url });
    prometheus = await PrometheusServer.start({ targets: [`127.0.0.1:${gateway.port}`], ruleFiles: [ALERTS] });
    assert.equal((await gateway.admin('POST', '/admin/services', { name: 'alpha', url: upstream.url })).status, 201);
    assert.equal((await gateway.admin('POST', '/admin/routes', { name: 'scraped', service: 'alpha', paths: ['/api/v1/scraped/*'], auth: { required: false } })).status, 201);
    await gateway.waitFor(async () => (await gateway.get('/api/v1/scraped/probe')).status === 200, 'route served');
  });

  after(async () => {
    await prometheus?.stop();
    await gateway?.stop();
    await upstream?.stop();
    await db?.drop();
  });

  it('scrapes /metrics and answers PromQL with the number of requests sent', async () => {
    await eventually(async () => {
      const targets = await prometheus.api<{ activeTargets: Array<{ health: string }> }>('targets');
      return targets.activeTargets.length === 1 && targets.activeTargets[0].health === 'up';
    }, 30_000, 200);
    // The probe of before() was one 2xx already; send the rest after a first scrape saw it.
    const query = 'sum(gateway_requests_total{route="scraped",status_class="2xx"})';
    await eventually(async () => Number((await prometheus.query(query)).result[0]?.value[1]) === 1, 30_000, 200);
    for (let i = 1; i < SENT; i++) assert.equal((await gateway.get(`/api/v1/scraped/${i}`)).status, 200);
    let last = '';
    await eventually(async () => {
      last = (await prometheus.query(query)).result[0]?.value[1] ?? 'none';
      return Number(last) === SENT;
    }, 30_000, 200).catch(() => assert.fail(`Prometheus says ${last} requests, ${SENT} were sent`));
    const byMethod = await prometheus.query('sum by (method, service) (gateway_requests_total{route="scraped"})');
    assert.deepEqual(byMethod.result.map((r) => [r.metric.method, r.metric.service, r.value[1]]), [['GET', 'alpha', String(SENT)]]);
  });

  it('evaluates every alert rule against the scraped series without error, none firing', async () => {
    await eventually(async () => {
      const { groups } = await prometheus.api<{ groups: Array<{ rules: Array<{ health: string; lastEvaluation: string }> }> }>('rules');
      const rules = groups.flatMap((g) => g.rules);
      return rules.length === ruleExpressions(ALERTS).length && rules.every((r) => r.health === 'ok' && !r.lastEvaluation.startsWith('0001'));
    }, 30_000, 250);
    const { alerts } = await prometheus.api<{ alerts: Array<{ labels: { alertname: string }; state: string }> }>('alerts');
    assert.deepEqual(alerts.map((a) => `${a.labels.alertname} ${a.state}`), []);
  });

  it('runs every dashboard query; the traffic and latency panels have data', async () => {
    const failures: string[] = [];
    const empty: string[] = [];
    for (const { expr, source } of dashboardExpressions(repoPath('deploy/grafana/dashboards/gateway.json'))) {
      const promql = grafanaToPromQL(expr).replaceAll('$route', '.*').replace(/\$\{?datasource\}?/g, '');
      try {
        const data = await prometheus.query(promql);
        if (data.result.length === 0) empty.push(`${source}: ${promql}`);
      } catch (error) {
        failures.push(`${source}: ${(error as Error).message}`);
      }
    }
    assert.deepEqual(failures, []);
    // Only the panels fed by what this test does not provoke (auth refusals, proved in metrics.e2e-spec.ts;
    // rate limiting, not built yet; circuit openings and retries) may be empty.
    const allowedEmpty = /gateway_auth_failures_total|gateway_rate_limited_requests_total|gateway_circuit_opened_total|gateway_upstream_retries_total/;
    assert.deepEqual(empty.filter((e) => !allowedEmpty.test(e)), []);
  });
});
