/**
 * Deployment artefacts: Dockerfile, .dockerignore, docker-compose.yml and k8s/*.yaml.
 * Nothing here needs Docker or a cluster: files are parsed and checked offline against the
 * compose-spec JSON schema (shipped by dclint), kubernetes-models' validators and types, the
 * gateway's own EnvironmentVariables class, and each other (ports, probes, grace periods).
 * Run from the repository root.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import {
  composeDurationMs,
  composeEnvironment,
  composeGateways,
  dockerStages,
  execForm,
  interpolate,
  k8sContainerEnvironment,
  k8sPodSpecs,
  kubernetesModelsModule,
  parseDockerfile,
  parseEnvInstruction,
  parseHealthcheck,
  readCompose,
  readEnvironmentClass,
  readK8sDocuments,
  readRepoFile,
  repoPath,
  resolvedComposeEnvironment,
  typeCheckK8sDocuments,
  type DeclaredEnvironment,
  type Instruction,
  type K8sDocument,
  type Stage,
} from './support.js';
import { SECRET_VARIABLES, validateEnvironment } from '../../src/config/environment.js';
import { SERVICE_MONITOR_SCHEMA } from './service-monitor.schema.js';

type Obj = Record<string, any>;

const PROBES = { liveness: '/health', readiness: '/ready', startup: '/health/startup' } as const;
const MIN_NODE_LTS = 22;

function declaredEnvironment(): DeclaredEnvironment {
  return readEnvironmentClass();
}

/** ENV of the Dockerfile's runtime stage. */
function dockerfileEnv(): Map<string, string> {
  const runtime = dockerStages(parseDockerfile(readRepoFile('Dockerfile'))).at(-1) as Stage;
  const env = new Map<string, string>();
  for (const i of runtime.instructions.filter((i) => i.keyword === 'ENV')) for (const [k, v] of parseEnvInstruction(i.args)) env.set(k, v);
  return env;
}

function numberDefault(env: DeclaredEnvironment, name: string): number {
  const value = env.defaults.get(name);
  assert.equal(typeof value, 'number', `EnvironmentVariables.${name} has no numeric literal default`);
  return value as number;
}

/** Runs a healthcheck's `node -e ...` command against a stub server; resolves with the exit code. */
function runNodeHealthcheck(argv: string[], port: number): Promise<number> {
  assert.equal(argv[0], 'node', `healthcheck must run node (no curl/wget in the slim image): ${JSON.stringify(argv)}`);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      argv.slice(1),
      { env: { PATH: process.env.PATH, PORT: String(port) }, timeout: 15_000 },
      (error) => {
        if (!error) return resolve(0);
        if (typeof error.code === 'number') return resolve(error.code);
        reject(error);
      },
    );
  });
}

/** A local stand-in for the gateway: GET /health answers with `status`. */
async function withStubGateway<T>(status: number, fn: (port: number, hits: string[]) => Promise<T>): Promise<T> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.statusCode = req.url === PROBES.liveness ? status : 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await fn((server.address() as AddressInfo).port, hits);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

async function assertHealthcheckProbesHealth(argv: string[]): Promise<void> {
  await withStubGateway(200, async (port, hits) => {
    assert.equal(await runNodeHealthcheck(argv, port), 0, 'healthcheck must pass when GET /health answers 200');
    assert.deepEqual(hits, [`GET ${PROBES.liveness}`], 'healthcheck must GET /health on $PORT');
  });
  await withStubGateway(503, async (port) => {
    assert.notEqual(await runNodeHealthcheck(argv, port), 0, 'healthcheck must fail when GET /health answers 503');
  });
  // Nothing listening on the port any more: must fail, not hang.
  const closedPort = await withStubGateway(200, async (port) => port);
  assert.notEqual(await runNodeHealthcheck(argv, closedPort), 0, 'healthcheck must fail when nothing listens');
}

// =============================================================================================
describe('Dockerfile', () => {
  const instructions = parseDockerfile(readRepoFile('Dockerfile'));
  const stages = dockerStages(instructions);
  const finalStage = stages[stages.length - 1];
  const stageNames = new Set(stages.map((s) => s.name).filter((n): n is string => !!n));
  const inStage = (stage: Stage, keyword: string): Instruction[] => stage.instructions.filter((i) => i.keyword === keyword);
  const runs = (stage: Stage, re: RegExp): boolean => inStage(stage, 'RUN').some((i) => re.test(i.args));
  const stageByName = (name: string): Stage | undefined => stages.find((s) => s.name === name || String(s.index) === name);

  it('is a multi-stage build', () => {
    assert.ok(stages.length >= 2, `expected at least two FROM stages, found ${stages.length}`);
  });

  it(`builds every stage FROM an official node image on an LTS line >= ${MIN_NODE_LTS}`, () => {
    for (const stage of stages) {
      if (stageNames.has(stage.image) && stages.findIndex((s) => s.name === stage.image) < stage.index) continue;
      const match = /^(?:(?:docker\.io\/)?library\/)?node:(\d+)(?:[.-][A-Za-z0-9.-]*)?(?:@sha256:[a-f0-9]{64})?$/.exec(stage.image);
      assert.ok(match, `stage ${stage.index} FROM ${JSON.stringify(stage.image)} is not node:<major>[-variant]`);
      const major = Number(match[1]);
      assert.ok(major >= MIN_NODE_LTS, `stage ${stage.index} uses Node ${major}, need >= ${MIN_NODE_LTS}`);
      assert.equal(major % 2, 0, `stage ${stage.index} uses Node ${major}, which is not an LTS line`);
    }
  });

  it('builds with npm ci + npm run build and ships only production dependencies and dist/', () => {
    const copies = inStage(finalStage, 'COPY');
    const fromStage = (args: string): Stage | undefined => {
      const m = /--from=(\S+)/.exec(args);
      return m ? stageByName(m[1]) : undefined;
    };
    // dist/ comes from a stage that installs everything and compiles.
    const distCopy = copies.find((c) => /(^|\s|\/)dist\/?(\s|$)/.test(c.args) && fromStage(c.args));
    assert.ok(distCopy, 'final stage must COPY dist/ from a build stage');
    const buildStage = fromStage(distCopy.args) as Stage;
    assert.ok(runs(buildStage, /\bnpm ci\b/), `stage ${buildStage.name} must run npm ci`);
    assert.ok(runs(buildStage, /\bnpm run build\b/), `stage ${buildStage.name} must run npm run build`);

    // node_modules are production-only: npm ci --omit=dev in the final stage or in the stage copied from.
    const modulesCopy = copies.find((c) => /node_modules/.test(c.args) && fromStage(c.args));
    const depsStage = modulesCopy ? (fromStage(modulesCopy.args) as Stage) : finalStage;
    assert.ok(runs(depsStage, /\bnpm ci\b[^&|;]*--omit=dev/), `stage ${depsStage.name ?? depsStage.index} must run npm ci --omit=dev`);
    assert.ok(!runs(depsStage, /\bnpm (ci|install)\b(?![^&|;]*--omit=dev)/), 'dev dependencies must not be installed in the production dependency stage');
    assert.ok(!runs(finalStage, /\bnpm run build\b/), 'the runtime stage must not compile');
    assert.ok(!copies.some((c) => !/--from=/.test(c.args) && /^\.\s/.test(c.args)), 'the runtime stage must not COPY the whole build context');
  });

  it('sets NODE_ENV=production in the runtime stage', () => {
    const env = new Map<string, string>();
    for (const i of inStage(finalStage, 'ENV')) for (const [k, v] of parseEnvInstruction(i.args)) env.set(k, v);
    assert.equal(env.get('NODE_ENV'), 'production');
  });

  it('runs as a non-root USER', () => {
    const users = inStage(finalStage, 'USER');
    assert.ok(users.length > 0, 'runtime stage has no USER instruction');
    const [user] = users[users.length - 1].args.split(':');
    assert.ok(!['root', '0', ''].includes(user.trim()), `USER ${users[users.length - 1].args} is root`);
  });

  it('exposes 8080, the PORT default', () => {
    const port = numberDefault(declaredEnvironment(), 'PORT');
    const exposed = inStage(finalStage, 'EXPOSE').flatMap((i) => i.args.split(/\s+/)).map((p) => Number(p.split('/')[0]));
    assert.ok(exposed.includes(port), `EXPOSE ${exposed.join(' ')} does not include ${port}`);
    assert.equal(port, 8080);
  });

  it('starts with the production command, `npm run start:prod` (the one the benchmark measures)', () => {
    const cmds = inStage(finalStage, 'CMD');
    assert.ok(cmds.length > 0, 'no CMD');
    const packageJson = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { scripts: Record<string, string> };
    const startProd = packageJson.scripts['start:prod']!.split(' ');
    assert.deepEqual(execForm(cmds[cmds.length - 1].args), startProd);
    assert.equal(startProd[0], 'node');
    assert.equal(startProd.at(-1), 'dist/src/main.js');
  });

  it('has a HEALTHCHECK that GETs /health with node and passes/fails with the answer', async () => {
    const checks = inStage(finalStage, 'HEALTHCHECK');
    assert.equal(checks.length, 1, 'runtime stage needs exactly one HEALTHCHECK');
    const check = parseHealthcheck(checks[0].args);
    assert.ok(check.command?.exec, 'HEALTHCHECK must be CMD in exec form (no shell needed)');
    await assertHealthcheckProbesHealth(check.command.exec);
  });
});

describe('.dockerignore', () => {
  it('keeps node_modules, dist, data, .git and test output out of the build context', () => {
    const entries = new Set(
      readRepoFile('.dockerignore')
        .split(/\r?\n/)
        .map((l) => l.trim().replace(/^\/+|\/+$/g, ''))
        .filter((l) => l && !l.startsWith('#')),
    );
    for (const required of ['node_modules', 'dist', 'data', '.git', 'coverage', '.env']) {
      assert.ok(entries.has(required), `.dockerignore lacks ${required}`);
    }
    for (const kept of ['src', 'migrations', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']) {
      assert.ok(!entries.has(kept), `.dockerignore must not exclude ${kept} (the build needs it)`);
    }
  });
});

// =============================================================================================
describe('docker-compose.yml', () => {
  const compose = readCompose();
  const services = (compose.services ?? {}) as Record<string, Obj>;
  const gateways = composeGateways(compose);
  const declared = (): DeclaredEnvironment => declaredEnvironment();
  const publishedPorts = (service: Obj): Array<{ host: string; target: number }> =>
    ((service.ports ?? []) as unknown[]).map((p) => {
      if (p && typeof p === 'object') return { host: String((p as Obj).published), target: Number((p as Obj).target) };
      const parts = String(p).split('/')[0].split(':');
      return { host: parts.length > 1 ? parts[parts.length - 2] : '', target: Number(parts[parts.length - 1]) };
    });

  it('is valid against the compose-spec JSON schema (shipped by dclint)', () => {
    const require = createRequire(import.meta.url);
    const schemaFile = path.join(path.dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
    const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as Obj;
    // The file declares "https://json-schema.org/draft-07/schema"; Ajv's draft-07 meta-schema id is http://...#.
    schema.$schema = 'http://json-schema.org/draft-07/schema#';
    const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
    const validate = ajv.compile(schema);
    const valid = validate(compose);
    assert.ok(valid, `compose-spec violations:\n${ajv.errorsText(validate.errors, { separator: '\n' })}`);
  });

  it('uses the compose specification format (no top-level version)', () => {
    assert.ok(!('version' in compose), 'remove the obsolete top-level "version" key');
  });

  it('runs two gateway instances built from this repository, plus postgres 17 and redis 7', () => {
    assert.deepEqual(gateways.map(([name]) => name).sort(), ['gateway-1', 'gateway-2']);
    for (const name of ['postgres', 'redis']) assert.ok(services[name], `service ${name} missing`);
    assert.match(String(services.postgres.image), /^postgres:17([.-]|$)/);
    assert.match(String(services.redis.image), /^redis:7([.-]|$)/);
  });

  it('pins every pulled image to a version (no :latest, no bare name)', () => {
    const built = new Set(gateways.map(([name]) => name));
    for (const [name, service] of Object.entries(services)) {
      if (!service.image || built.has(name)) continue;
      const tag = /:([^/:]+)$/.exec(String(service.image))?.[1];
      assert.ok(tag && tag !== 'latest' && /\d/.test(tag), `${name}: image ${service.image} is not pinned to a version`);
    }
  });

  it('publishes each gateway on its own host port (8080, 8081) to the container PORT', () => {
    const hostPorts = gateways.map(([name, gateway]) => {
      const env = resolvedComposeEnvironment(gateway);
      const port = Number(env.PORT ?? numberDefault(declared(), 'PORT'));
      assert.equal(port, 8080, `${name} PORT`);
      const published = publishedPorts(gateway);
      assert.equal(published.length, 1, `${name} publishes one port`);
      assert.equal(published[0].target, port, `${name} must publish to its PORT ${port}`);
      return published[0].host;
    });
    assert.deepEqual(hostPorts, ['8080', '8081']);
  });

  it('points both instances at the same DATABASE_URL and REDIS_URL: the postgres and redis services', () => {
    const envs = gateways.map(([, gateway]) => resolvedComposeEnvironment(gateway));
    assert.equal(envs[0].DATABASE_URL, envs[1].DATABASE_URL);
    assert.equal(envs[0].REDIS_URL, envs[1].REDIS_URL);
    const db = new URL(envs[0].DATABASE_URL);
    assert.match(db.protocol, /^postgres(ql)?:$/);
    assert.equal(db.hostname, 'postgres');
    const pg = resolvedComposeEnvironment(services.postgres);
    assert.equal(decodeURIComponent(db.username), pg.POSTGRES_USER ?? 'postgres', 'DATABASE_URL user must match POSTGRES_USER');
    assert.equal(decodeURIComponent(db.password), pg.POSTGRES_PASSWORD, 'DATABASE_URL password must match POSTGRES_PASSWORD');
    assert.equal(db.pathname.slice(1), pg.POSTGRES_DB ?? pg.POSTGRES_USER ?? 'postgres', 'DATABASE_URL database must match POSTGRES_DB');
    const redis = new URL(envs[0].REDIS_URL);
    assert.match(redis.protocol, /^rediss?:$/);
    assert.equal(redis.hostname, 'redis');
  });

  it('takes ADMIN_API_KEY from the shell with a default', () => {
    for (const [name, gateway] of gateways) {
      const raw = composeEnvironment(gateway).get('ADMIN_API_KEY');
      assert.match(String(raw), /^\$\{ADMIN_API_KEY:-[^}]+\}$/, name);
      assert.equal(interpolate(String(raw), { ADMIN_API_KEY: 'from-the-shell-0123456789' }), 'from-the-shell-0123456789');
    }
  });

  it('starts the first gateway after healthy postgres and redis, the second after a healthy first', () => {
    const dependsOn = (name: string): Obj => {
      const value = services[name].depends_on as Obj;
      assert.ok(value && !Array.isArray(value), `${name} depends_on must use the long form with conditions`);
      return value;
    };
    for (const [name] of gateways) {
      for (const dependency of ['postgres', 'redis']) assert.equal(dependsOn(name)[dependency]?.condition, 'service_healthy', `${name} waits for ${dependency}`);
    }
    // The first migrates the schema; the second starts on it (the advisory lock would also serialise them).
    assert.equal(dependsOn('gateway-2')['gateway-1']?.condition, 'service_healthy');
    for (const name of ['postgres', 'redis', 'gateway-1']) {
      assert.ok(services[name].healthcheck?.test && services[name].healthcheck?.disable !== true, `${name} needs a healthcheck`);
    }
    assert.match(JSON.stringify(services.postgres.healthcheck.test), /pg_isready/);
    assert.match(JSON.stringify(services.redis.healthcheck.test), /redis-cli.*ping/);
  });

  it('keeps postgres data in a declared named volume', () => {
    const volumes = (services.postgres.volumes ?? []) as unknown[];
    const named = volumes
      .map((v) => (typeof v === 'string' ? v.split(':')[0] : (v as Obj).type === 'volume' ? String((v as Obj).source) : ''))
      .filter((source) => source && !source.startsWith('.') && !source.startsWith('/') && !source.startsWith('~'));
    assert.ok(named.length > 0, 'postgres needs a named volume');
    for (const name of named) assert.ok(compose.volumes && name in compose.volumes, `volume ${name} is not declared at the top level`);
  });

  it('has gateway healthchecks that GET /health with node', async () => {
    for (const [name, gateway] of gateways) {
      const test = gateway.healthcheck?.test;
      assert.ok(Array.isArray(test) && test[0] === 'CMD', `${name} healthcheck must be ["CMD", "node", ...]`);
      await assertHealthcheckProbesHealth(test.slice(1).map((part: unknown) => interpolate(String(part), {})));
    }
  });

  it('runs the gateways read-only with /tmp and DATA_DIR writable', () => {
    for (const [name, gateway] of gateways) {
      assert.equal(gateway.read_only, true, `${name} read_only`);
      const dataDir = resolvedComposeEnvironment(gateway).DATA_DIR ?? dockerfileEnv().get('DATA_DIR');
      const writable = [...((gateway.tmpfs ?? []) as string[]), ...((gateway.volumes ?? []) as string[]).filter((v) => !/:ro$/.test(v)).map((v) => v.split(':')[1])];
      for (const dir of ['/tmp', dataDir]) assert.ok(writable.includes(String(dir)), `${name}: ${dir} must be a tmpfs or volume`);
    }
  });

  it('gives the gateways longer than SHUTDOWN_GRACE_MS to drain on stop', () => {
    for (const [name, gateway] of gateways) {
      const graceMs = Number(resolvedComposeEnvironment(gateway).SHUTDOWN_GRACE_MS ?? numberDefault(declared(), 'SHUTDOWN_GRACE_MS'));
      const stopMs = gateway.stop_grace_period === undefined ? 10_000 : composeDurationMs(gateway.stop_grace_period);
      assert.ok(stopMs > graceMs, `${name}: stop_grace_period ${stopMs} ms must exceed SHUTDOWN_GRACE_MS ${graceMs} ms`);
    }
  });

  it('mounts GATEWAY_CONFIG from deploy/, routing to the two sample upstream services', () => {
    for (const [name, gateway] of gateways) {
      const file = resolvedComposeEnvironment(gateway).GATEWAY_CONFIG;
      assert.ok(file, `${name} sets GATEWAY_CONFIG`);
      const mount = ((gateway.volumes ?? []) as string[]).map((v) => v.split(':')).find((parts) => parts[1] === file);
      assert.ok(mount, `${name}: nothing mounted at ${file}`);
      assert.equal(path.resolve(repoPath(), mount[0]), repoPath('deploy/gateway.yaml'));
    }
    const config = parseYaml(readRepoFile('deploy/gateway.yaml')) as Obj;
    const upstreamHosts = (config.services as Obj[]).map((s) => new URL(String(s.url)).hostname);
    assert.equal(upstreamHosts.length, 2);
    for (const host of upstreamHosts) {
      assert.ok(services[host], `deploy/gateway.yaml names ${host}, which is not a compose service`);
      assert.ok(!composeGateways({ services: { [host]: services[host] } }).length, `${host} must be a sample upstream, not a gateway`);
    }
  });

  it('exports traces to the Jaeger service over OTLP/HTTP', () => {
    for (const [name, gateway] of gateways) {
      const endpoint = new URL(resolvedComposeEnvironment(gateway).OTEL_EXPORTER_OTLP_ENDPOINT);
      assert.equal(endpoint.hostname, 'jaeger', name);
      assert.equal(endpoint.port, '4318', `${name}: 4318 is the OTLP/HTTP port`);
    }
    assert.match(String(services.jaeger?.image), /^jaegertracing\/all-in-one:1\./);
    assert.notEqual(resolvedComposeEnvironment(services.jaeger).COLLECTOR_OTLP_ENABLED, 'false');
  });

  it('sets only environment variables the gateway declares', () => {
    const names = declared().names;
    for (const [name, gateway] of gateways) {
      const unknown = [...composeEnvironment(gateway).keys()].filter((variable) => !names.has(variable));
      assert.deepEqual(unknown, [], `${name}: not in EnvironmentVariables (src/config/environment.ts): ${unknown.join(', ')}`);
    }
  });

  it('sets values the gateway accepts (its own validateEnvironment)', () => {
    for (const [, gateway] of gateways) assert.doesNotThrow(() => validateEnvironment(resolvedComposeEnvironment(gateway)));
  });
});

// =============================================================================================
describe('k8s manifests', () => {
  const dir = repoPath('k8s');
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  const kustomizationFile = files.find((f) => /^kustomization\.ya?ml$/.test(f));
  const documents = readK8sDocuments();
  const label = (doc: K8sDocument): string => `k8s/${doc.file}#${doc.index} (${doc.obj.kind} ${doc.obj.metadata?.name})`;
  const ofKind = (kind: string): K8sDocument[] => documents.filter((d) => d.obj.kind === kind);
  const one = (kind: string): Obj => {
    const found = ofKind(kind);
    assert.equal(found.length, 1, `expected one ${kind}`);
    return found[0].obj;
  };
  /** Kinds that kubernetes-models has no types for (CRDs), checked with their own schema below. */
  const isCustomResource = (doc: K8sDocument): boolean => String(doc.obj.apiVersion).startsWith('monitoring.coreos.com/');

  const deployment = (): Obj => one('Deployment');
  const container = (): Obj => {
    const containers = deployment().spec.template.spec.containers as Obj[];
    const found = containers.find((c) => c.name === 'gateway');
    assert.ok(found, 'no container named gateway');
    return found;
  };
  const containerEnv = (): Record<string, string> => k8sContainerEnvironment(container(), documents);
  /** A container port by number or by name, resolved to its number. */
  const resolvePort = (port: unknown): number | undefined => {
    if (typeof port === 'number') return port;
    return (container().ports as Obj[] | undefined)?.find((p) => p.name === port)?.containerPort;
  };
  const podLabels = (): Record<string, string> => deployment().spec.template.metadata?.labels ?? {};
  const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>): boolean =>
    Object.keys(selector ?? {}).length > 0 && Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);

  it('has every manifest the issue asks for and a kustomization', () => {
    assert.ok(kustomizationFile, 'k8s/kustomization.yaml missing');
    const kinds = documents.map((d) => d.obj.kind).sort();
    for (const kind of ['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'Job', 'NetworkPolicy', 'PodDisruptionBudget', 'Secret', 'Service', 'ServiceMonitor']) {
      assert.ok(kinds.includes(kind), `no ${kind} in k8s/`);
    }
  });

  it('kustomization.yaml lists exactly the manifests in k8s/ and nothing unknown', () => {
    const kustomization = parseYaml(readFileSync(path.join(dir, kustomizationFile as string), 'utf8')) as Obj;
    assert.equal(kustomization.apiVersion, 'kustomize.config.k8s.io/v1beta1');
    assert.equal(kustomization.kind, 'Kustomization');
    // Fields of kustomize's Kustomization type (api/types/kustomization.go).
    const known = new Set([
      'apiVersion', 'kind', 'metadata', 'openapi', 'namePrefix', 'nameSuffix', 'namespace', 'commonLabels', 'labels',
      'commonAnnotations', 'patchesStrategicMerge', 'patchesJson6902', 'patches', 'images', 'imageTags', 'replacements',
      'replicas', 'vars', 'sortOptions', 'resources', 'crds', 'bases', 'components', 'configMapGenerator',
      'secretGenerator', 'helmGlobals', 'helmCharts', 'helmChartInflationGenerator', 'generatorOptions',
      'configurations', 'generators', 'transformers', 'validators', 'buildMetadata',
    ]);
    const unknown = Object.keys(kustomization).filter((k) => !known.has(k));
    assert.deepEqual(unknown, [], `unknown Kustomization fields: ${unknown.join(', ')}`);
    const resources = (kustomization.resources ?? []) as string[];
    for (const resource of resources) assert.ok(existsSync(path.join(dir, resource)), `kustomization resource ${resource} does not exist`);
    const manifestFiles = files.filter((f) => f !== kustomizationFile);
    assert.deepEqual([...resources].sort(), manifestFiles, 'kustomization resources must list every manifest in k8s/');
    // The images transformer must name the image the workloads use.
    const images = new Set(k8sPodSpecs(documents).flatMap(({ spec }) => (spec.containers as Obj[]).map((c) => String(c.image).split(':')[0])));
    for (const image of (kustomization.images ?? []) as Obj[]) assert.ok(images.has(image.name), `kustomization image ${image.name} is used by no container`);
  });

  it('every built-in manifest passes kubernetes-models validation', async () => {
    for (const doc of documents.filter((d) => !isCustomResource(d))) {
      const moduleName = kubernetesModelsModule(doc.obj.apiVersion, doc.obj.kind);
      const mod = (await import(moduleName)) as Record<string, new (data: Obj) => { validate(): void }>;
      const Model = mod[doc.obj.kind];
      assert.equal(typeof Model, 'function', `${label(doc)}: no model ${moduleName}`);
      assert.doesNotThrow(() => new Model(doc.obj).validate(), `${label(doc)} is invalid`);
    }
  });

  it('no built-in manifest has fields the Kubernetes API does not define (typed against kubernetes-models)', () => {
    const builtIn = documents.filter((d) => !isCustomResource(d));
    const problems = typeCheckK8sDocuments(builtIn);
    const report = builtIn.flatMap((doc, i) => problems[i].map((p) => `${label(doc)}: ${p}`));
    assert.deepEqual(report, []);
  });

  it('the unknown-field check catches a misplaced field at any depth (validate() alone does not)', async () => {
    const bad = structuredClone(deployment());
    bad.spec.template.spec.containers[0].readinessProbe.httpGet.pathh = '/ready';
    const { Deployment } = await import('kubernetes-models/apps/v1/Deployment');
    assert.doesNotThrow(() => new Deployment(bad as never).validate(), 'kubernetes-models validate() ignores unknown fields');
    const [problems] = typeCheckK8sDocuments([{ file: 'deployment.yaml', index: 0, obj: bad }]);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /pathh/);
  });

  it('the ServiceMonitor matches the monitoring.coreos.com/v1 schema (no unknown fields) and scrapes the Service', () => {
    const doc = ofKind('ServiceMonitor')[0];
    const ajv = new Ajv({ allErrors: true, strict: true });
    const validate = ajv.compile(SERVICE_MONITOR_SCHEMA);
    assert.ok(validate(doc.obj), `${label(doc)}:\n${ajv.errorsText(validate.errors, { separator: '\n' })}`);
    assert.ok(!validate({ ...doc.obj, spec: { ...doc.obj.spec, endpoints: [{ port: 'http', intervall: '15s' }] } }), 'the schema rejects unknown fields');
    const service = one('Service');
    assert.ok(selects(doc.obj.spec.selector.matchLabels, service.metadata.labels ?? {}), 'ServiceMonitor selector must match the Service labels');
    for (const endpoint of doc.obj.spec.endpoints as Obj[]) {
      assert.ok((service.spec.ports as Obj[]).some((p) => p.name === endpoint.port), `Service has no port named ${endpoint.port}`);
      assert.equal(endpoint.path, '/metrics');
    }
  });

  it('the Deployment runs 3 replicas whose selector matches the pod labels', () => {
    const spec = deployment().spec;
    assert.equal(spec.replicas, 3);
    assert.ok(selects(spec.selector.matchLabels, podLabels()), 'selector does not match the pod labels');
  });

  it('probes are /health (liveness), /ready (readiness), /health/startup (startup) on the container port', () => {
    const c = container();
    const port = numberDefault(declaredEnvironment(), 'PORT');
    const probes = { liveness: c.livenessProbe, readiness: c.readinessProbe, startup: c.startupProbe };
    for (const [kind, path] of Object.entries(PROBES) as [keyof typeof PROBES, string][]) {
      const probe = probes[kind];
      assert.ok(probe?.httpGet, `${kind}Probe must be an httpGet probe`);
      assert.equal(probe.httpGet.path, path, `${kind}Probe path`);
      assert.equal(resolvePort(probe.httpGet.port), port, `${kind}Probe port`);
    }
  });

  it('the container port is PORT as the container sees it (ConfigMap), 8080', () => {
    const port = Number(containerEnv().PORT ?? numberDefault(declaredEnvironment(), 'PORT'));
    assert.equal(port, 8080);
    assert.deepEqual((container().ports as Obj[]).map((p) => p.containerPort), [port]);
  });

  it('sets cpu and memory requests and limits on every container', () => {
    for (const { doc, spec } of k8sPodSpecs(documents)) {
      for (const c of spec.containers as Obj[]) {
        for (const kind of ['requests', 'limits']) for (const r of ['cpu', 'memory']) assert.ok(c.resources?.[kind]?.[r] !== undefined, `${label(doc)} ${c.name}: resources.${kind}.${r} missing`);
      }
    }
  });

  it('every workload runs non-root, read-only, no capabilities, seccomp RuntimeDefault, /tmp an emptyDir', () => {
    for (const { doc, spec: pod } of k8sPodSpecs(documents)) {
      for (const c of pod.containers as Obj[]) {
        const where = `${label(doc)} ${c.name}`;
        assert.equal(c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot, true, `${where}: runAsNonRoot`);
        const uid = c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
        if (uid !== undefined) assert.notEqual(uid, 0, `${where}: runAsUser 0`);
        assert.equal(c.securityContext?.readOnlyRootFilesystem, true, `${where}: readOnlyRootFilesystem`);
        assert.equal(c.securityContext?.allowPrivilegeEscalation, false, `${where}: allowPrivilegeEscalation`);
        assert.deepEqual(c.securityContext?.capabilities?.drop, ['ALL'], `${where}: capabilities.drop`);
        assert.equal((c.securityContext?.seccompProfile ?? pod.securityContext?.seccompProfile)?.type, 'RuntimeDefault', `${where}: seccompProfile`);
        const tmp = (c.volumeMounts as Obj[] | undefined)?.find((m) => m.mountPath === '/tmp');
        assert.ok(tmp, `${where}: no volume mounted at /tmp`);
        assert.ok((pod.volumes as Obj[] | undefined)?.find((v) => v.name === tmp.name)?.emptyDir, `${where}: /tmp must be an emptyDir`);
      }
    }
  });

  it('DATA_DIR, as the gateway container sees it, is a writable emptyDir', () => {
    const dataDir = containerEnv().DATA_DIR;
    assert.equal(dataDir, dockerfileEnv().get('DATA_DIR'), 'DATA_DIR agrees with the image');
    const mount = (container().volumeMounts as Obj[]).find((m) => m.mountPath === dataDir);
    assert.ok(mount && !mount.readOnly, `no writable volume at ${dataDir}`);
    assert.ok((deployment().spec.template.spec.volumes as Obj[]).find((v) => v.name === mount.name)?.emptyDir, `${dataDir} must be an emptyDir`);
  });

  it('takes DATABASE_URL, REDIS_URL, ADMIN_API_KEY and AUTH_SECRET from the Secret, whose template has each key', () => {
    const env = (container().env ?? []) as Obj[];
    const secret = one('Secret');
    const keys = new Set(Object.keys({ ...(secret.data ?? {}), ...(secret.stringData ?? {}) }));
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'ADMIN_API_KEY', 'AUTH_SECRET']) {
      const entry = env.find((e) => e.name === name);
      assert.ok(entry?.valueFrom?.secretKeyRef, `${name} must come from secretKeyRef`);
      assert.equal(entry.valueFrom.secretKeyRef.name, secret.metadata.name);
      assert.ok(keys.has(entry.valueFrom.secretKeyRef.key), `the Secret template has no key ${entry.valueFrom.secretKeyRef.key}`);
    }
    const configMap = one('ConfigMap');
    for (const name of SECRET_VARIABLES) assert.ok(!(name in (configMap.data ?? {})), `${name} is a secret: not in the ConfigMap`);
  });

  it('a Secret template applied unchanged is refused by the gateway (fails closed, no known admin key)', () => {
    const env = containerEnv();
    assert.throws(() => validateEnvironment(env), (error: Error) => /ADMIN_API_KEY/.test(error.message) && /AUTH_SECRET/.test(error.message));
    // With real values in the Secret, the same environment is accepted.
    assert.doesNotThrow(() => validateEnvironment({ ...env, ADMIN_API_KEY: 'a-real-admin-key-0123456789', AUTH_SECRET: 'x'.repeat(48) }));
  });

  it('waits in preStop, then allows longer than preStop + SHUTDOWN_GRACE_MS + the shutdown margin before SIGKILL', () => {
    const pod = deployment().spec.template.spec;
    const preStop = container().lifecycle?.preStop;
    let sleepSeconds: number | undefined;
    if (preStop?.sleep) sleepSeconds = Number(preStop.sleep.seconds);
    else if (preStop?.exec?.command) {
      const m = /^(?:\/bin\/)?sleep\s+(\d+)$/.exec((preStop.exec.command as string[]).join(' '));
      sleepSeconds = m ? Number(m[1]) : undefined;
    }
    assert.ok(sleepSeconds !== undefined && sleepSeconds > 0, 'container needs a preStop sleep');
    const graceMs = Number(containerEnv().SHUTDOWN_GRACE_MS ?? numberDefault(declaredEnvironment(), 'SHUTDOWN_GRACE_MS'));
    // src/main.ts gives up on a stuck shutdown 10 s after the grace period.
    const selfExitMarginMs = 10_000;
    const termination = pod.terminationGracePeriodSeconds ?? 30;
    assert.ok(
      termination * 1000 > sleepSeconds * 1000 + graceMs + selfExitMarginMs,
      `terminationGracePeriodSeconds ${termination} must exceed preStop ${sleepSeconds}s + SHUTDOWN_GRACE_MS ${graceMs}ms + ${selfExitMarginMs}ms`,
    );
  });

  it('the Service is ClusterIP port 80 -> the gateway container port, selecting the gateway pods and no other pods', () => {
    const spec = one('Service').spec;
    assert.equal(spec.type ?? 'ClusterIP', 'ClusterIP');
    const servicePort = (spec.ports as Obj[]).find((p) => p.port === 80);
    assert.ok(servicePort, 'Service needs port 80');
    assert.equal(resolvePort(servicePort.targetPort ?? servicePort.port), 8080, 'Service port 80 must target container port 8080');
    assert.ok(selects(spec.selector, podLabels()), 'Service selector does not match the gateway pods');
    for (const { doc } of k8sPodSpecs(documents).filter(({ doc }) => doc.obj.kind !== 'Deployment')) {
      assert.ok(!selects(spec.selector, doc.obj.spec.template.metadata?.labels ?? {}), `the Service would send traffic to ${label(doc)}`);
    }
  });

  it('the HorizontalPodAutoscaler scales the Deployment from its replica count up, on CPU', () => {
    const hpa = one('HorizontalPodAutoscaler');
    assert.equal(hpa.apiVersion, 'autoscaling/v2');
    assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment().metadata.name });
    assert.equal(hpa.spec.minReplicas, deployment().spec.replicas);
    assert.ok(hpa.spec.maxReplicas > hpa.spec.minReplicas);
    assert.ok((hpa.spec.metrics as Obj[]).some((m) => m.resource?.name === 'cpu'), 'scales on cpu');
    assert.ok(container().resources.requests.cpu, 'CPU utilisation needs a cpu request');
  });

  it('the PodDisruptionBudget selects the gateway pods and keeps most of them up', () => {
    const pdb = one('PodDisruptionBudget');
    assert.equal(pdb.apiVersion, 'policy/v1');
    assert.ok(selects(pdb.spec.selector.matchLabels, podLabels()), 'PDB selector does not match the gateway pods');
    assert.equal(pdb.spec.maxUnavailable, 1);
    for (const { doc } of k8sPodSpecs(documents).filter(({ doc }) => doc.obj.kind !== 'Deployment')) {
      assert.ok(!selects(pdb.spec.selector.matchLabels, doc.obj.spec.template.metadata?.labels ?? {}), `the PDB would count ${label(doc)}`);
    }
  });

  it('a NetworkPolicy admits the gateway pods on the traffic port only; the migration pods admit nothing', () => {
    const policies = ofKind('NetworkPolicy').map((d) => d.obj);
    const forGateway = policies.find((p) => selects(p.spec.podSelector.matchLabels, podLabels()));
    assert.ok(forGateway, 'no NetworkPolicy selects the gateway pods');
    assert.ok(forGateway.spec.policyTypes.includes('Ingress'));
    const ports = (forGateway.spec.ingress as Obj[]).flatMap((rule) => (rule.ports ?? []) as Obj[]);
    assert.ok(ports.length > 0 && ports.every((p) => resolvePort(p.port) === 8080), 'ingress only to the container port');
    const job = one('Job');
    const forJob = policies.find((p) => selects(p.spec.podSelector.matchLabels, job.spec.template.metadata.labels));
    assert.ok(forJob, 'no NetworkPolicy selects the migration pods');
    assert.ok(forJob.spec.policyTypes.includes('Ingress') && (forJob.spec.ingress ?? []).length === 0, 'migration pods accept no connections');
  });

  it("the migration Job runs the gateway's migrate command from the gateway image with the shared DATABASE_URL", () => {
    const job = one('Job');
    assert.equal(job.spec.template.spec.restartPolicy, 'Never');
    const [migrate] = job.spec.template.spec.containers as Obj[];
    assert.equal(migrate.image, container().image, 'the same image as the gateway');
    const packageJson = JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> };
    assert.deepEqual(migrate.command, packageJson.scripts.migrate!.split(' '), 'the same command as `npm run migrate`');
    const [, script] = migrate.command as string[];
    assert.match(script!, /^dist\/src\/.+\.js$/);
    assert.ok(existsSync(repoPath(script!.replace(/^dist\//, '').replace(/\.js$/, '.ts'))), `${script} is compiled from a source file`);
    const runtime = dockerStages(parseDockerfile(readRepoFile('Dockerfile'))).at(-1) as Stage;
    assert.ok(
      runtime.instructions.some((i) => i.keyword === 'COPY' && /--from=build/.test(i.args) && /\/app\/dist\s+\.\/dist$/.test(i.args)),
      'the runtime image must contain the compiled dist/ at ./dist',
    );
    const jobEnv = k8sContainerEnvironment(migrate, documents);
    assert.equal(jobEnv.DATABASE_URL, containerEnv().DATABASE_URL, 'the Job migrates the database the gateway uses');
  });

  it('sets only environment variables the gateway declares (env, ConfigMap and Secret keys)', () => {
    const declared = declaredEnvironment().names;
    const used: string[] = [];
    for (const { spec } of k8sPodSpecs(documents)) {
      for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])] as Obj[]) used.push(...Object.keys(k8sContainerEnvironment(c, documents)), ...((c.env ?? []) as Obj[]).map((e) => e.name));
    }
    for (const kind of ['ConfigMap', 'Secret']) for (const doc of ofKind(kind)) used.push(...Object.keys({ ...(doc.obj.data ?? {}), ...(doc.obj.stringData ?? {}) }));
    assert.ok(used.length > 0, 'no environment variables found');
    const unknown = [...new Set(used.filter((name) => !declared.has(name)))];
    assert.deepEqual(unknown, [], `not in EnvironmentVariables (src/config/environment.ts): ${unknown.join(', ')}`);
  });

  it('the ConfigMap holds values the gateway accepts (its own validateEnvironment)', () => {
    assert.doesNotThrow(() => validateEnvironment(one('ConfigMap').data));
  });
});
