/**
 * Helpers for test/deploy/manifests.e2e-spec.ts: small parsers for the Dockerfile, the
 * EnvironmentVariables class and compose interpolation, and an unknown-field check for
 * Kubernetes manifests that type-checks each manifest against the interfaces kubernetes-models
 * ships (TypeScript's excess-property check flags every field the API does not define).
 *
 * Everything is resolved from the repository root, which is the working directory of the tests.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { parse as parseYaml, parseAllDocuments } from 'yaml';

export const repoRoot = process.cwd();
export const repoPath = (...segments: string[]): string => path.join(repoRoot, ...segments);
export const readRepoFile = (...segments: string[]): string => readFileSync(repoPath(...segments), 'utf8');

// ---------------------------------------------------------------------------------------------
// src/config/environment.ts: the names (and literal defaults) of EnvironmentVariables
// ---------------------------------------------------------------------------------------------

export interface DeclaredEnvironment {
  names: Set<string>;
  /** Literal initialisers, e.g. PORT -> 8080. Properties without a literal default are absent. */
  defaults: Map<string, string | number | boolean>;
}

export function readEnvironmentClass(file = repoPath('src/config/environment.ts')): DeclaredEnvironment {
  if (!existsSync(file)) throw new Error(`${path.relative(repoRoot, file)} does not exist`);
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const classDecl = source.statements.find(
    (node): node is ts.ClassDeclaration => ts.isClassDeclaration(node) && node.name?.text === 'EnvironmentVariables',
  );
  if (!classDecl) throw new Error(`no class EnvironmentVariables in ${path.relative(repoRoot, file)}`);

  const names = new Set<string>();
  const defaults = new Map<string, string | number | boolean>();
  for (const member of classDecl.members) {
    if (!ts.isPropertyDeclaration(member)) continue;
    if (member.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) continue;
    if (!ts.isIdentifier(member.name) && !ts.isStringLiteral(member.name)) continue;
    const name = member.name.text;
    names.add(name);
    const init = member.initializer;
    if (!init) continue;
    if (ts.isNumericLiteral(init)) defaults.set(name, Number(init.text));
    else if (ts.isStringLiteral(init) || ts.isNoSubstitutionTemplateLiteral(init)) defaults.set(name, init.text);
    else if (init.kind === ts.SyntaxKind.TrueKeyword) defaults.set(name, true);
    else if (init.kind === ts.SyntaxKind.FalseKeyword) defaults.set(name, false);
  }
  return { names, defaults };
}

// ---------------------------------------------------------------------------------------------
// Dockerfile
// ---------------------------------------------------------------------------------------------

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  index: number;
  /** The image after ARG substitution (or the name of an earlier stage). */
  image: string;
  name?: string;
  instructions: Instruction[];
}

/** Splits a Dockerfile into instructions: comments dropped, line continuations joined. */
export function parseDockerfile(text: string): Instruction[] {
  const lines = text.split(/\r?\n/);
  const out: Instruction[] = [];
  let buffer = '';
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (/^\s*#/.test(raw)) continue; // comments and parser directives, also inside continuations
    if (raw.trim() === '') continue;
    if (buffer === '') start = i + 1;
    const trimmed = raw.replace(/\s+$/, '');
    if (trimmed.endsWith('\\')) {
      buffer += trimmed.slice(0, -1) + ' ';
      continue;
    }
    buffer += trimmed;
    out.push(toInstruction(buffer, start));
    buffer = '';
  }
  if (buffer.trim() !== '') out.push(toInstruction(buffer, start));
  return out;
}

function toInstruction(text: string, line: number): Instruction {
  const match = /^\s*(\S+)\s*([\s\S]*)$/.exec(text);
  if (!match) throw new Error(`cannot parse Dockerfile line ${line}: ${text}`);
  return { keyword: match[1].toUpperCase(), args: match[2].trim(), line };
}

/** Substitutes $NAME, ${NAME}, ${NAME:-default} and ${NAME:+alt} from the given variables. */
export function substituteArgs(text: string, vars: Map<string, string>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_match, braced: string | undefined, op: string | undefined, word: string | undefined, bare: string | undefined) => {
      const value = vars.get((braced ?? bare) as string);
      if (op === '-') return value ? value : (word ?? '');
      if (op === '+') return value ? (word ?? '') : '';
      return value ?? '';
    },
  );
}

/** Groups instructions into build stages; FROM images have global ARG defaults substituted. */
export function dockerStages(instructions: Instruction[]): Stage[] {
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const tokens = instruction.args.split(/\s+/).filter((t) => !t.startsWith('--'));
      const image = substituteArgs(tokens[0] ?? '', globalArgs);
      const asIndex = tokens.findIndex((t) => t.toUpperCase() === 'AS');
      stages.push({ index: stages.length, image, name: asIndex >= 0 ? tokens[asIndex + 1] : undefined, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword === 'ARG') {
        const [name, ...rest] = instruction.args.split('=');
        globalArgs.set(name.trim(), unquote(rest.join('=').trim()));
      }
    } else {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return stages;
}

function unquote(value: string): string {
  return /^(["']).*\1$/.test(value) ? value.slice(1, -1) : value;
}

/** Splits on whitespace, keeping quoted strings together (quotes removed, backslash escapes kept). */
function shellWords(text: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let current = '';
  let lastEnd = -1;
  for (const match of text.matchAll(re)) {
    const piece = match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] ?? match[3]);
    if (match.index === lastEnd) current += piece; // adjacent pieces: key="quoted value"
    else {
      if (lastEnd !== -1) words.push(current);
      current = piece;
    }
    lastEnd = match.index + match[0].length;
  }
  if (lastEnd !== -1) words.push(current);
  return words;
}

/** ENV key=value [key=value...] or the legacy ENV key value. */
export function parseEnvInstruction(args: string): Map<string, string> {
  const result = new Map<string, string>();
  const words = shellWords(args);
  if (words.length > 0 && !words[0].includes('=')) {
    const [key, ...rest] = args.split(/\s+/);
    result.set(key, unquote(rest.join(' ')));
    return result;
  }
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq > 0) result.set(word.slice(0, eq), word.slice(eq + 1));
  }
  return result;
}

/** `CMD ["a","b"]` or the args of HEALTHCHECK after `CMD`: the exec form as an array, else undefined. */
export function execForm(args: string): string[] | undefined {
  if (!args.trim().startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((p) => typeof p === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export interface Healthcheck {
  options: Map<string, string>;
  /** undefined for HEALTHCHECK NONE */
  command?: { exec?: string[]; shell?: string };
}

export function parseHealthcheck(args: string): Healthcheck {
  const options = new Map<string, string>();
  let rest = args.trim();
  for (;;) {
    const option = /^--([a-z-]+)=(\S+)\s*/.exec(rest);
    if (!option) break;
    options.set(option[1], option[2]);
    rest = rest.slice(option[0].length);
  }
  if (/^NONE\b/i.test(rest)) return { options };
  const cmd = /^CMD\s+([\s\S]*)$/i.exec(rest);
  if (!cmd) throw new Error(`HEALTHCHECK without CMD: ${args}`);
  const exec = execForm(cmd[1]);
  return { options, command: exec ? { exec } : { shell: cmd[1] } };
}

// ---------------------------------------------------------------------------------------------
// Compose
// ---------------------------------------------------------------------------------------------

/**
 * Compose variable interpolation as `docker compose` does it for the forms used in practice:
 * $$, $NAME, ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?err}, ${NAME?err}, ${NAME:+alt}, ${NAME+alt}.
 */
export function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced: string | undefined, op: string | undefined, word: string | undefined, bare: string | undefined) => {
      if (match === '$$') return '$';
      const name = (braced ?? bare) as string;
      const value = env[name];
      const set = value !== undefined;
      const nonEmpty = set && value !== '';
      switch (op) {
        case ':-':
          return nonEmpty ? value : (word ?? '');
        case '-':
          return set ? value : (word ?? '');
        case ':?':
        case '?':
          if (op === ':?' ? !nonEmpty : !set) throw new Error(`required variable ${name} is missing: ${word}`);
          return value as string;
        case ':+':
          return nonEmpty ? (word ?? '') : '';
        case '+':
          return set ? (word ?? '') : '';
        default:
          return value ?? '';
      }
    },
  );
}

/** A service's `environment` (map or list form) as a map; values stay uninterpolated. */
export function composeEnvironment(service: Record<string, unknown>): Map<string, string | undefined> {
  const env = service.environment;
  const result = new Map<string, string | undefined>();
  if (Array.isArray(env)) {
    for (const entry of env) {
      const text = String(entry);
      const eq = text.indexOf('=');
      if (eq < 0) result.set(text, undefined);
      else result.set(text.slice(0, eq), text.slice(eq + 1));
    }
  } else if (env && typeof env === 'object') {
    for (const [key, value] of Object.entries(env)) result.set(key, value === null || value === undefined ? undefined : String(value));
  }
  return result;
}

/** Compose durations: "1m30s", "20s", "500ms", "1h". Returns milliseconds. */
export function composeDurationMs(value: unknown): number {
  const text = String(value).trim();
  const units: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d+)?)(us|ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const match of text.matchAll(re)) {
    total += Number(match[1]) * units[match[2]];
    consumed += match[0].length;
  }
  if (consumed !== text.length || consumed === 0) throw new Error(`not a compose duration: ${text}`);
  return total;
}

// ---------------------------------------------------------------------------------------------
// Kubernetes: unknown fields, by type-checking against kubernetes-models' interfaces
// ---------------------------------------------------------------------------------------------

export interface K8sDocument {
  file: string;
  index: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML, walked freely by the tests
  obj: Record<string, any>;
}

/** `kubernetes-models/<apiVersion>/<Kind>`: e.g. apps/v1 + Deployment, v1 + Service. */
export function kubernetesModelsModule(apiVersion: unknown, kind: unknown): string {
  if (typeof apiVersion !== 'string' || !/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion)) {
    throw new Error(`unexpected apiVersion ${JSON.stringify(apiVersion)}`);
  }
  if (typeof kind !== 'string' || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) throw new Error(`unexpected kind ${JSON.stringify(kind)}`);
  return `kubernetes-models/${apiVersion}/${kind}`;
}

/**
 * Type-checks every document as an object literal of kubernetes-models' `I<Kind>` interface.
 * TypeScript reports a field the interface does not declare ("Object literal may only specify
 * known properties") at any depth, and also wrong types and missing required fields.
 * Returns the problems per document (empty arrays when clean).
 */
export function typeCheckK8sDocuments(documents: K8sDocument[]): string[][] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts'],
    types: [],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  };
  // Virtual files in the repository root so that module resolution finds its node_modules.
  const virtual = new Map<string, string>();
  const fileNames = documents.map((doc, i) => {
    const fileName = path.join(repoRoot, `__k8s_manifest_${i}__.mts`);
    const moduleName = kubernetesModelsModule(doc.obj.apiVersion, doc.obj.kind);
    virtual.set(
      fileName,
      `import type { I${String(doc.obj.kind)} as Manifest } from '${moduleName}';\n` +
        `const manifest: Manifest = ${JSON.stringify(doc.obj, null, 2)};\n` +
        `export default manifest;\n`,
    );
    return fileName;
  });

  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (name) => virtual.has(name) || fileExists.call(host, name);
  host.readFile = (name) => virtual.get(name) ?? readFile.call(host, name);
  host.getSourceFile = (name, languageVersion, onError, shouldCreate) => {
    const text = virtual.get(name);
    if (text !== undefined) return ts.createSourceFile(name, text, languageVersion, true);
    return getSourceFile.call(host, name, languageVersion, onError, shouldCreate);
  };

  const program = ts.createProgram(fileNames, options, host);
  return fileNames.map((fileName) => {
    const sourceFile = program.getSourceFile(fileName);
    if (!sourceFile) return [`internal error: ${fileName} was not loaded`];
    const diagnostics = [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)];
    const lines = (virtual.get(fileName) as string).split('\n');
    return diagnostics.map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n  ');
      if (d.start === undefined) return message;
      const { line } = sourceFile.getLineAndCharacterOfPosition(d.start);
      return `${message}\n  at: ${lines[line].trim()}`;
    });
  });
}

/** docker-compose.yml as compose reads it: YAML merge keys (`<<: *gateway`) resolved. */
export function readCompose(): Record<string, any> {
  return parseYaml(readRepoFile('docker-compose.yml'), { merge: true }) as Record<string, any>;
}

/** The services built from this repository: the gateway instances. */
export function composeGateways(compose: Record<string, any>): Array<[name: string, service: Record<string, any>]> {
  return Object.entries((compose.services ?? {}) as Record<string, Record<string, any>>).filter(([, service]) => {
    const context = typeof service.build === 'string' ? service.build : service.build?.context;
    return context === '.' || context === './';
  });
}

/** A service's environment as compose resolves it with no variables set in the shell. */
export function resolvedComposeEnvironment(service: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries([...composeEnvironment(service)].map(([k, v]) => [k, interpolate(v ?? '', {})]));
}

/** Every document of every k8s/*.yaml but the kustomization. */
export function readK8sDocuments(): K8sDocument[] {
  const dir = repoPath('k8s');
  const documents: K8sDocument[] = [];
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && !/^kustomization\.ya?ml$/.test(f)).sort()) {
    parseAllDocuments(readFileSync(path.join(dir, file), 'utf8')).forEach((doc, index) => {
      if (doc.errors.length > 0) throw new Error(`k8s/${file}#${index}: ${doc.errors.map((e) => e.message).join('; ')}`);
      const obj = doc.toJS() as Record<string, any> | null;
      if (obj !== null) documents.push({ file, index, obj });
    });
  }
  return documents;
}

/**
 * A container's environment as the kubelet builds it: envFrom ConfigMaps and Secrets kept in k8s/
 * (their data or stringData), then env literals and secretKeyRef values looked up the same way.
 * Values not found in k8s/ are left out.
 */
export function k8sContainerEnvironment(container: Record<string, any>, documents: K8sDocument[]): Record<string, string> {
  const source = (kind: string, name: unknown): Record<string, string> => {
    const doc = documents.find((d) => d.obj.kind === kind && d.obj.metadata?.name === name);
    if (!doc) return {};
    const data = { ...(doc.obj.stringData ?? {}) } as Record<string, string>;
    if (kind === 'Secret') for (const [k, v] of Object.entries(doc.obj.data ?? {})) data[k] ??= Buffer.from(String(v), 'base64').toString('utf8');
    else Object.assign(data, doc.obj.data ?? {});
    return data;
  };
  const env: Record<string, string> = {};
  for (const from of (container.envFrom ?? []) as Array<Record<string, any>>) {
    const data = from.configMapRef ? source('ConfigMap', from.configMapRef.name) : source('Secret', from.secretRef?.name);
    for (const [k, v] of Object.entries(data)) env[`${from.prefix ?? ''}${k}`] = String(v);
  }
  for (const entry of (container.env ?? []) as Array<Record<string, any>>) {
    if (typeof entry.value === 'string') env[entry.name] = entry.value;
    const ref = entry.valueFrom?.secretKeyRef ?? entry.valueFrom?.configMapKeyRef;
    if (ref) {
      const value = source(entry.valueFrom.secretKeyRef ? 'Secret' : 'ConfigMap', ref.name)[ref.key];
      if (value !== undefined) env[entry.name] = value;
    }
  }
  return env;
}

/** The pod specs of workloads (Deployment, Job, ...) with where they come from. */
export function k8sPodSpecs(documents: K8sDocument[]): Array<{ doc: K8sDocument; spec: Record<string, any> }> {
  return documents.flatMap((doc) => (doc.obj.spec?.template?.spec ? [{ doc, spec: doc.obj.spec.template.spec as Record<string, any> }] : []));
}

/** The path a `node -e "fetch('http://127.0.0.1:'+PORT+'/path', ...)"` healthcheck requests. */
export function healthcheckPath(argv: string[]): string {
  const match = /'(\/[^']*)'/.exec(argv.join(' '));
  if (!match) throw new Error(`no path in healthcheck ${JSON.stringify(argv)}`);
  return match[1];
}
