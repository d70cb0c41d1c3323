/**
 * The deployment files against a running gateway (the compiled dist/src/main.js) and a real
 * PostgreSQL: every probe and scrape path they name answers, the demo's GATEWAY_CONFIG is accepted
 * and routes, and the migration Job's command migrates a database and exits.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { migrations } from '../../migrations/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { GatewayProcess } from '../helpers/gateway.js';
import {
  composeGateways,
  dockerStages,
  healthcheckPath,
  k8sContainerEnvironment,
  k8sPodSpecs,
  parseDockerfile,
  parseHealthcheck,
  readCompose,
  readK8sDocuments,
  readRepoFile,
  repoPath,
  type Stage,
} from './support.js';

type Obj = Record<string, any>;

/** Every HTTP path a probe, healthcheck or scrape config in the deployment files requests, with where. */
function pathsNamedByDeploymentFiles(): Array<{ path: string; where: string }> {
  const found: Array<{ path: string; where: string }> = [];
  const runtime = dockerStages(parseDockerfile(readRepoFile('Dockerfile'))).at(-1) as Stage;
  for (const check of runtime.instructions.filter((i) => i.keyword === 'HEALTHCHECK')) {
    found.push({ path: healthcheckPath(parseHealthcheck(check.args).command?.exec ?? []), where: 'Dockerfile HEALTHCHECK' });
  }
  for (const [name, gateway] of composeGateways(readCompose())) {
    found.push({ path: healthcheckPath((gateway.healthcheck.test as string[]).slice(1)), where: `docker-compose.yml ${name} healthcheck` });
  }
  const documents = readK8sDocuments();
  for (const { doc, spec } of k8sPodSpecs(documents)) {
    for (const c of spec.containers as Obj[]) {
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (c[probe]?.httpGet) found.push({ path: c[probe].httpGet.path, where: `k8s/${doc.file} ${c.name} ${probe}` });
      }
      for (const [key, value] of Object.entries((doc.obj.spec.template.metadata?.annotations ?? {}) as Record<string, string>)) {
        if (key === 'prometheus.io/path') found.push({ path: value, where: `k8s/${doc.file} ${key}` });
      }
    }
  }
  for (const doc of documents.filter((d) => d.obj.kind === 'ServiceMonitor')) {
    for (const endpoint of doc.obj.spec.endpoints as Obj[]) found.push({ path: endpoint.path ?? '/metrics', where: `k8s/${doc.file} endpoint` });
  }
  const prometheus = parseYaml(readRepoFile('deploy/prometheus/prometheus.yml')) as Obj;
  for (const job of prometheus.scrape_configs as Obj[]) found.push({ path: job.metrics_path ?? '/metrics', where: `deploy/prometheus/prometheus.yml ${job.job_name}` });
  return found;
}

function runToExit(argv: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, argv, { cwd: repoPath(), env: { PATH: process.env.PATH, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, output: stdout + stderr });
    });
  });
}

describe('deployment files against a running gateway', () => {
  let db: TestDatabase;
  let gateway: GatewayProcess;

  before(async () => {
    db = await createTestDatabase('deploy');
    gateway = await GatewayProcess.start({ databaseUrl: db.url, env: { GATEWAY_CONFIG: repoPath('deploy/gateway.yaml') } });
  });

  after(async () => {
    await gateway?.stop();
    await db?.drop();
  });

  it('every probe, healthcheck and scrape path in Dockerfile, compose, k8s and Prometheus answers 200', async () => {
    const paths = pathsNamedByDeploymentFiles();
    for (const expected of ['/health', '/ready', '/health/startup', '/metrics']) assert.ok(paths.some((p) => p.path === expected), `nothing names ${expected}`);
    for (const { path, where } of paths) {
      const reply = await gateway.get(path);
      assert.equal(reply.status, 200, `${where}: GET ${path} answered ${reply.status}`);
    }
    assert.match((await gateway.get('/metrics')).text, /^# HELP /m, '/metrics is Prometheus text');
  });

  it('applies the demo GATEWAY_CONFIG (deploy/gateway.yaml): its routes exist and reach for their upstreams', async () => {
    const config = parseYaml(readRepoFile('deploy/gateway.yaml')) as Obj;
    for (const route of config.routes as Obj[]) {
      const stored = await gateway.admin('GET', `/admin/routes/${route.name}`);
      assert.equal(stored.status, 200, `route ${route.name}: ${stored.text}`);
      assert.equal(stored.body.auth.required, false, `the demo route ${route.name} is open`);
      // The compose hostnames do not resolve here: a matched, open route fails at the upstream, not 404/401.
      const proxied = await gateway.get(String(route.paths[0]).replace('*', 'hello'));
      assert.ok([502, 503, 504].includes(proxied.status), `route ${route.name}: ${proxied.status} ${proxied.text}`);
    }
  });

  describe("the migration Job's command", () => {
    let fresh: TestDatabase;
    before(async () => (fresh = await createTestDatabase('migrate_job')));
    after(async () => fresh?.drop());

    it('migrates an empty database, exits 0, and finds nothing to do the second time', async () => {
      const job = readK8sDocuments().find((d) => d.obj.kind === 'Job')!;
      const container = job.obj.spec.template.spec.containers[0] as Obj;
      // The Job's own environment (ConfigMap and all), the database swapped for the test's.
      const env = { ...k8sContainerEnvironment(container, readK8sDocuments()), DATABASE_URL: fresh.url };
      const argv = (container.command as string[]).slice(1);
      assert.equal(container.command[0], 'node');

      const first = await runToExit(argv, env);
      assert.equal(first.code, 0, first.output);
      const rows = await fresh.query<{ name: string }>('SELECT name FROM migrations');
      assert.deepEqual(rows.map((r) => r.name).sort(), migrations.map((m) => new m().name).sort());
      const done = JSON.parse(first.output.trim().split('\n').at(-1) as string) as Obj;
      assert.equal(done.msg, 'migrations done');
      assert.equal(done.applied.length, migrations.length);

      const second = await runToExit(argv, env);
      assert.equal(second.code, 0, second.output);
      assert.deepEqual((JSON.parse(second.output.trim().split('\n').at(-1) as string) as Obj).applied, []);
    });

    it('exits 78 (configuration) without DATABASE_URL or with an invalid one', async () => {
      const script = 'dist/src/database/migrate-cli.js';
      assert.equal((await runToExit([script], {})).code, 78);
      const invalid = await runToExit([script], { DATABASE_URL: 'mysql://nope' });
      assert.equal(invalid.code, 78);
      assert.match(invalid.output, /DATABASE_URL/);
    });
  });
});
