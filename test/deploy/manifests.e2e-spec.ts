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
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import {
  composeDurationMs,
  composeEnvironment,
  dockerStages,
  execForm,
  interpolate,
  kubernetesModelsModule,
  parseDockerfile,
  parseEnvInstruction,
  parseHealthcheck,
  readEnvironmentClass,
  readRepoFile,
  repoPath,
  typeCheckK8sDocuments,
  type DeclaredEnvironment,
  type Instruction,
  type K8sDocument,
  type Stage,
} from './support.js';
import { validateEnvironment } from '../../src/config/environment.js';

type Obj = Record<string, any>;

const PROBES = { liveness: '/health', readiness: '/ready', startup: '/health/startup' } as const;
const MIN_NODE_LTS = 22;

function declaredEnvironment(): DeclaredEnvironment {
  return readEnvironmentClass();
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

  it('starts with CMD ["node","dist/src/main.js"]', () => {
    const cmds = inStage(finalStage, 'CMD');
    assert.ok(cmds.length > 0, 'no CMD');
    assert.deepEqual(execForm(cmds[cmds.length - 1].args), ['node', 'dist/src/main.js']);
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
  const text = readRepoFile('docker-compose.yml');
  const compose = parseYaml(text) as Obj;
  const services = (compose.services ?? {}) as Record<string, Obj>;
  const gateway = services.gateway ?? {};
  /** The gateway's environment as compose resolves it with no variables set in the shell. */
  const resolvedGatewayEnv = (): Record<string, string> =>
    Object.fromEntries([...composeEnvironment(gateway)].map(([k, v]) => [k, interpolate(v ?? '', {})]));

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

  it('has gateway, postgres and redis services; the gateway builds from this repository', () => {
    for (const name of ['gateway', 'postgres', 'redis']) assert.ok(services[name], `service ${name} missing`);
    const build = gateway.build;
    const context = typeof build === 'string' ? build : build?.context;
    assert.ok(context === '.' || context === './', `gateway build context must be ".", got ${JSON.stringify(build)}`);
    assert.match(String(services.postgres.image), /^postgres:17([.-]|$)/);
    assert.match(String(services.redis.image), /^redis:7([.-]|$)/);
  });

  it('publishes the gateway on 8080 to the container PORT', () => {
    const env = resolvedGatewayEnv();
    const port = Number(env.PORT ?? numberDefault(declaredEnvironment(), 'PORT'));
    assert.equal(port, 8080);
    const published = (gateway.ports ?? []).map((p: unknown) => {
      if (p && typeof p === 'object') return { host: String((p as Obj).published), target: Number((p as Obj).target) };
      const parts = String(p).split('/')[0].split(':');
      return { host: parts.length > 1 ? parts[parts.length - 2] : '', target: Number(parts[parts.length - 1]) };
    });
    assert.ok(
      published.some((p: { host: string; target: number }) => p.host === '8080' && p.target === port),
      `gateway must publish 8080:${port}, has ${JSON.stringify(gateway.ports)}`,
    );
  });

  it('points DATABASE_URL and REDIS_URL at the postgres and redis services', () => {
    const env = resolvedGatewayEnv();
    const db = new URL(env.DATABASE_URL);
    assert.match(db.protocol, /^postgres(ql)?:$/);
    assert.equal(db.hostname, 'postgres');
    const pg = Object.fromEntries([...composeEnvironment(services.postgres)].map(([k, v]) => [k, interpolate(v ?? '', {})]));
    assert.equal(decodeURIComponent(db.username), pg.POSTGRES_USER ?? 'postgres', 'DATABASE_URL user must match POSTGRES_USER');
    assert.equal(decodeURIComponent(db.password), pg.POSTGRES_PASSWORD, 'DATABASE_URL password must match POSTGRES_PASSWORD');
    assert.equal(db.pathname.slice(1), pg.POSTGRES_DB ?? pg.POSTGRES_USER ?? 'postgres', 'DATABASE_URL database must match POSTGRES_DB');
    const redis = new URL(env.REDIS_URL);
    assert.match(redis.protocol, /^rediss?:$/);
    assert.equal(redis.hostname, 'redis');
  });

  it('takes ADMIN_API_KEY from the shell with a default', () => {
    const raw = composeEnvironment(gateway).get('ADMIN_API_KEY');
    assert.match(String(raw), /^\$\{ADMIN_API_KEY:-[^}]+\}$/);
    assert.equal(interpolate(String(raw), { ADMIN_API_KEY: 'from-the-shell-0123456789' }), 'from-the-shell-0123456789');
  });

  it('starts the gateway only after healthy postgres and redis, each with a healthcheck', () => {
    const dependsOn = gateway.depends_on as Obj;
    assert.ok(dependsOn && !Array.isArray(dependsOn), 'gateway depends_on must use the long form with conditions');
    for (const name of ['postgres', 'redis']) {
      assert.equal(dependsOn[name]?.condition, 'service_healthy', `gateway must wait for ${name} to be healthy`);
      const test = services[name].healthcheck?.test;
      assert.ok(test && services[name].healthcheck?.disable !== true, `${name} needs a healthcheck`);
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

  it('has a gateway healthcheck that GETs /health with node', async () => {
    const test = gateway.healthcheck?.test;
    assert.ok(Array.isArray(test) && test[0] === 'CMD', 'gateway healthcheck must be ["CMD", "node", ...]');
    await assertHealthcheckProbesHealth(test.slice(1).map((part: unknown) => interpolate(String(part), {})));
  });

  it('gives the gateway longer than SHUTDOWN_GRACE_MS to drain on stop', () => {
    const env = resolvedGatewayEnv();
    const graceMs = Number(env.SHUTDOWN_GRACE_MS ?? numberDefault(declaredEnvironment(), 'SHUTDOWN_GRACE_MS'));
    const stopMs = gateway.stop_grace_period === undefined ? 10_000 : composeDurationMs(gateway.stop_grace_period);
    assert.ok(stopMs > graceMs, `stop_grace_period ${stopMs} ms must exceed SHUTDOWN_GRACE_MS ${graceMs} ms`);
  });

  it('sets only environment variables the gateway declares', () => {
    const declared = declaredEnvironment().names;
    const unknown = [...composeEnvironment(gateway).keys()].filter((name) => !declared.has(name));
    assert.deepEqual(unknown, [], `not in EnvironmentVariables (src/config/environment.ts): ${unknown.join(', ')}`);
  });

  it('sets values the gateway accepts (its own validateEnvironment)', () => {
    assert.doesNotThrow(() => validateEnvironment(resolvedGatewayEnv()));
  });
});

// =============================================================================================
describe('k8s manifests', () => {
  const dir = repoPath('k8s');
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  const kustomizationFile = files.find((f) => /^kustomization\.ya?ml$/.test(f));
  const documents: K8sDocument[] = [];
  for (const file of files.filter((f) => f !== kustomizationFile)) {
    parseAllDocuments(readFileSync(path.join(dir, file), 'utf8')).forEach((doc, index) => {
      if (doc.errors.length > 0) throw new Error(`k8s/${file}#${index}: ${doc.errors.map((e) => e.message).join('; ')}`);
      const obj = doc.toJS() as Obj | null;
      if (obj !== null) documents.push({ file, index, obj });
    });
  }
  const label = (doc: K8sDocument): string => `k8s/${doc.file}#${doc.index} (${doc.obj.kind} ${doc.obj.metadata?.name})`;
  const ofKind = (kind: string): K8sDocument[] => documents.filter((d) => d.obj.kind === kind);

  const deployment = (): Obj => {
    const deployments = ofKind('Deployment');
    assert.equal(deployments.length, 1, 'expected one Deployment');
    return deployments[0].obj;
  };
  const container = (): Obj => {
    const containers = deployment().spec.template.spec.containers as Obj[];
    const found = containers.find((c) => c.name === 'gateway');
    assert.ok(found, 'no container named gateway');
    return found;
  };
  /** A container port by number or by name, resolved to its number. */
  const resolvePort = (port: unknown): number | undefined => {
    if (typeof port === 'number') return port;
    return (container().ports as Obj[] | undefined)?.find((p) => p.name === port)?.containerPort;
  };

  it('has manifests and a kustomization', () => {
    assert.ok(kustomizationFile, 'k8s/kustomization.yaml missing');
    assert.ok(documents.length >= 2, 'expected at least a Deployment and a Service');
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
  });

  it('every manifest passes kubernetes-models validation', async () => {
    for (const doc of documents) {
      const moduleName = kubernetesModelsModule(doc.obj.apiVersion, doc.obj.kind);
      const mod = (await import(moduleName)) as Record<string, new (data: Obj) => { validate(): void }>;
      const Model = mod[doc.obj.kind];
      assert.equal(typeof Model, 'function', `${label(doc)}: no model ${moduleName}`);
      assert.doesNotThrow(() => new Model(doc.obj).validate(), `${label(doc)} is invalid`);
    }
  });

  it('no manifest has fields the Kubernetes API does not define (typed against kubernetes-models)', () => {
    const problems = typeCheckK8sDocuments(documents);
    const report = documents.flatMap((doc, i) => problems[i].map((p) => `${label(doc)}: ${p}`));
    assert.deepEqual(report, []);
  });

  it('the Deployment runs 2+ replicas whose selector matches the pod labels', () => {
    const spec = deployment().spec;
    assert.ok(spec.replicas >= 2, `replicas ${spec.replicas} < 2`);
    const labels = spec.template.metadata?.labels ?? {};
    for (const [k, v] of Object.entries(spec.selector.matchLabels ?? {})) assert.equal(labels[k], v, `selector ${k}=${v} does not match the pod labels`);
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

  it('the container port is the PORT default (8080) and PORT, if set, agrees', () => {
    const c = container();
    const port = numberDefault(declaredEnvironment(), 'PORT');
    assert.equal(port, 8080);
    assert.deepEqual((c.ports as Obj[]).map((p) => p.containerPort), [port]);
    const env = (c.env ?? []) as Obj[];
    const portVar = env.find((e) => e.name === 'PORT');
    if (portVar) assert.equal(Number(portVar.value), port);
  });

  it('sets cpu and memory requests and limits', () => {
    const resources = container().resources ?? {};
    for (const kind of ['requests', 'limits']) for (const r of ['cpu', 'memory']) assert.ok(resources[kind]?.[r] !== undefined, `resources.${kind}.${r} missing`);
  });

  it('runs as non-root on a read-only root filesystem with an emptyDir at /tmp', () => {
    const pod = deployment().spec.template.spec;
    const c = container();
    assert.equal(c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot, true, 'runAsNonRoot');
    const uid = c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
    if (uid !== undefined) assert.notEqual(uid, 0, 'runAsUser 0');
    assert.equal(c.securityContext?.readOnlyRootFilesystem, true, 'readOnlyRootFilesystem');
    assert.equal(c.securityContext?.allowPrivilegeEscalation, false, 'allowPrivilegeEscalation');
    const tmp = (c.volumeMounts as Obj[] | undefined)?.find((m) => m.mountPath === '/tmp');
    assert.ok(tmp, 'no volume mounted at /tmp');
    const volume = (pod.volumes as Obj[] | undefined)?.find((v) => v.name === tmp.name);
    assert.ok(volume?.emptyDir, '/tmp must be an emptyDir');
  });

  it('takes DATABASE_URL, REDIS_URL and ADMIN_API_KEY from a Secret', () => {
    const env = (container().env ?? []) as Obj[];
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'ADMIN_API_KEY']) {
      const entry = env.find((e) => e.name === name);
      assert.ok(entry?.valueFrom?.secretKeyRef?.name && entry.valueFrom.secretKeyRef.key, `${name} must come from secretKeyRef`);
      assert.equal(entry.value, undefined, `${name} must not have a literal value`);
    }
  });

  it('waits in preStop, then allows longer than preStop + SHUTDOWN_GRACE_MS before SIGKILL', () => {
    const pod = deployment().spec.template.spec;
    const preStop = container().lifecycle?.preStop;
    let sleepSeconds: number | undefined;
    if (preStop?.sleep) sleepSeconds = Number(preStop.sleep.seconds);
    else if (preStop?.exec?.command) {
      const m = /^(?:\/bin\/)?sleep\s+(\d+)$/.exec((preStop.exec.command as string[]).join(' '));
      sleepSeconds = m ? Number(m[1]) : undefined;
    }
    assert.ok(sleepSeconds !== undefined && sleepSeconds > 0, 'container needs a preStop sleep');
    const envValue = ((container().env ?? []) as Obj[]).find((e) => e.name === 'SHUTDOWN_GRACE_MS')?.value;
    const graceMs = Number(envValue ?? numberDefault(declaredEnvironment(), 'SHUTDOWN_GRACE_MS'));
    const termination = pod.terminationGracePeriodSeconds ?? 30;
    assert.ok(
      termination * 1000 > sleepSeconds * 1000 + graceMs,
      `terminationGracePeriodSeconds ${termination} must exceed preStop ${sleepSeconds}s + SHUTDOWN_GRACE_MS ${graceMs}ms`,
    );
  });

  it('the Service is ClusterIP port 80 -> the gateway container port, selecting the gateway pods', () => {
    const services = ofKind('Service');
    assert.equal(services.length, 1, 'expected one Service');
    const spec = services[0].obj.spec;
    assert.equal(spec.type ?? 'ClusterIP', 'ClusterIP');
    const servicePort = (spec.ports as Obj[]).find((p) => p.port === 80);
    assert.ok(servicePort, 'Service needs port 80');
    assert.equal(resolvePort(servicePort.targetPort ?? servicePort.port), 8080, 'Service port 80 must target container port 8080');
    const labels = deployment().spec.template.metadata?.labels ?? {};
    assert.ok(Object.keys(spec.selector ?? {}).length > 0, 'Service needs a selector');
    for (const [k, v] of Object.entries(spec.selector)) assert.equal(labels[k], v, `Service selector ${k}=${v} does not match the pod labels`);
  });

  it('sets only environment variables the gateway declares', () => {
    const declared = declaredEnvironment().names;
    const used: string[] = [];
    for (const doc of documents) {
      const podSpec: Obj | undefined = doc.obj.spec?.template?.spec ?? (doc.obj.kind === 'Pod' ? doc.obj.spec : undefined);
      for (const c of [...(podSpec?.containers ?? []), ...(podSpec?.initContainers ?? [])] as Obj[]) {
        for (const e of (c.env ?? []) as Obj[]) used.push(e.name);
        // envFrom a ConfigMap kept in k8s/: its keys become variables.
        for (const from of (c.envFrom ?? []) as Obj[]) {
          const source = documents.find((d) => d.obj.kind === 'ConfigMap' && d.obj.metadata?.name === from.configMapRef?.name);
          used.push(...Object.keys(source?.obj.data ?? {}).map((key) => `${from.prefix ?? ''}${key}`));
        }
      }
    }
    assert.ok(used.length > 0, 'no environment variables found');
    const unknown = used.filter((name) => !declared.has(name));
    assert.deepEqual(unknown, [], `not in EnvironmentVariables (src/config/environment.ts): ${unknown.join(', ')}`);
  });

  it('sets literal values the gateway accepts (its own validateEnvironment)', () => {
    const env = Object.fromEntries(((container().env ?? []) as Obj[]).filter((e) => typeof e.value === 'string').map((e) => [e.name, e.value]));
    assert.doesNotThrow(() => validateEnvironment(env));
  });
});
