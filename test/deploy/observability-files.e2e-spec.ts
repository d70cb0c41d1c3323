/**
 * The monitoring stack of docker-compose.yml, checked offline: Prometheus and Grafana mount files
 * that exist, Prometheus scrapes the gateway service on its port and loads the alert rules,
 * Grafana's provisioning points at that Prometheus and at the mounted dashboards, and the
 * dashboard JSON is the one its generator writes. (Metrics and labels the dashboard and rules use
 * are checked against a running gateway in test/observability/.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { composeGateways, readCompose, readRepoFile, repoPath } from './support.js';

type Obj = Record<string, any>;

const compose = readCompose();
const services = compose.services as Record<string, Obj>;

/** A service's bind mounts as { host path (absolute), container path }. */
function bindMounts(service: Obj): Array<{ source: string; target: string }> {
  return ((service.volumes ?? []) as unknown[]).flatMap((volume) => {
    const [source, target] = typeof volume === 'string' ? volume.split(':') : [(volume as Obj).source, (volume as Obj).target];
    return String(source).startsWith('.') ? [{ source: repoPath(String(source)), target: String(target) }] : [];
  });
}

/** The host file behind a container path, through the service's bind mounts. */
function hostPathOf(service: Obj, containerPath: string): string | undefined {
  for (const mount of bindMounts(service)) {
    if (containerPath === mount.target) return mount.source;
    if (containerPath.startsWith(`${mount.target}/`)) return path.join(mount.source, containerPath.slice(mount.target.length + 1));
  }
  return undefined;
}

describe('monitoring stack in docker-compose.yml', () => {
  const prometheus = services.prometheus ?? {};
  const grafana = services.grafana ?? {};

  it('has prometheus and grafana services on pinned images, published on loopback only', () => {
    assert.match(String(prometheus.image), /^prom\/prometheus:v\d+\.\d+\.\d+$/);
    assert.match(String(grafana.image), /^grafana\/grafana:\d+\.\d+\.\d+$/);
    for (const [name, service, port] of [['prometheus', prometheus, 9090], ['grafana', grafana, 3000]] as const) {
      assert.deepEqual(service.ports, [`127.0.0.1:${port}:${port}`], `${name} ports`);
    }
  });

  it('mounts only files and folders that exist', () => {
    for (const service of [prometheus, grafana]) {
      for (const mount of bindMounts(service)) assert.ok(existsSync(mount.source), `${mount.source} does not exist`);
    }
  });

  it('Prometheus reads the mounted configuration, which scrapes every gateway instance and loads the mounted rules', () => {
    const configArg = (prometheus.command as string[]).find((a) => a.startsWith('--config.file='))!;
    const configFile = hostPathOf(prometheus, configArg.split('=')[1]);
    assert.equal(configFile, repoPath('deploy/prometheus/prometheus.yml'));
    const config = parseYaml(readFileSync(configFile, 'utf8')) as Obj;
    const job = (config.scrape_configs as Obj[]).find((j) => j.job_name === 'api-gateway');
    assert.ok(job, 'a scrape job named api-gateway (the alert rules and dashboard filter on it)');
    assert.equal(job.metrics_path ?? '/metrics', '/metrics');
    const instances = composeGateways(compose).map(([name, gateway]) => `${name}:${Number(gateway.environment.PORT)}`);
    assert.equal(instances.length, 2);
    assert.deepEqual(job.static_configs[0].targets, instances);
    for (const ruleFile of config.rule_files as string[]) {
      const inContainer = path.posix.join(path.posix.dirname(configArg.split('=')[1]), ruleFile);
      assert.equal(hostPathOf(prometheus, inContainer), repoPath('deploy/prometheus', ruleFile), `${ruleFile} is mounted beside the config`);
    }
  });

  it('Grafana provisions the Prometheus service as a datasource and loads the mounted dashboards', () => {
    const provisioning = hostPathOf(grafana, '/etc/grafana/provisioning');
    assert.ok(provisioning, 'provisioning mounted at /etc/grafana/provisioning');
    const datasources = parseYaml(readFileSync(path.join(provisioning, 'datasources/prometheus.yml'), 'utf8')) as Obj;
    const source = (datasources.datasources as Obj[])[0];
    assert.equal(source.type, 'prometheus');
    assert.equal(new URL(source.url).hostname, 'prometheus');
    assert.equal(Number(new URL(source.url).port), 9090);
    const providers = parseYaml(readFileSync(path.join(provisioning, 'dashboards/gateway.yml'), 'utf8')) as Obj;
    const dashboardsDir = hostPathOf(grafana, providers.providers[0].options.path);
    assert.equal(dashboardsDir, repoPath('deploy/grafana/dashboards'));
    const home = hostPathOf(grafana, grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH);
    assert.ok(home && existsSync(home), 'the home dashboard exists');

    const dashboard = JSON.parse(readFileSync(path.join(dashboardsDir, 'gateway.json'), 'utf8')) as Obj;
    const datasourceVariable = (dashboard.templating.list as Obj[]).find((v) => v.type === 'datasource') as Obj;
    assert.equal(datasourceVariable.query, 'prometheus');
    assert.equal(datasourceVariable.current.value, source.uid, 'the dashboard defaults to the provisioned datasource');
  });

  it('the dashboard is well formed: unique panel ids, every query on the datasource variable, panels inside the grid', () => {
    const dashboard = JSON.parse(readRepoFile('deploy/grafana/dashboards/gateway.json')) as Obj;
    const panels = dashboard.panels as Obj[];
    const ids = panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
    for (const panel of panels) {
      assert.ok(panel.title, `panel ${panel.id} has a title`);
      assert.ok(panel.gridPos.x + panel.gridPos.w <= 24, `panel "${panel.title}" fits in 24 columns`);
      for (const target of panel.targets ?? []) assert.equal(target.datasource.uid, '${datasource}', `panel "${panel.title}" uses the datasource variable`);
    }
    const titles = panels.map((p) => p.title);
    for (const wanted of ['Requests per second by route', 'Error ratio (5xx)', 'Request latency by route (p50, p95, p99)', 'Upstream target health', 'Circuit states', 'Rate-limit refusals by scope', 'Auth failures by reason']) {
      assert.ok(titles.includes(wanted), `panel "${wanted}"`);
    }
  });

  it('the committed dashboard is what deploy/grafana/build-dashboard.mjs writes', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dashboard-'));
    try {
      const out = path.join(dir, 'gateway.json');
      execFileSync(process.execPath, [repoPath('deploy/grafana/build-dashboard.mjs'), out]);
      assert.equal(readFileSync(out, 'utf8'), readRepoFile('deploy/grafana/dashboards/gateway.json'), 'run node deploy/grafana/build-dashboard.mjs and commit the result');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
