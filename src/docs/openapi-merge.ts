/** Merging services' OpenAPI documents into one, under the public paths the routes give them. */

export type OpenApiDocument = Record<string, any>;

export interface DocSource {
  service: string;
  url: string;
  document?: OpenApiDocument;
  error?: string;
}

export interface RouteExposure {
  route: string;
  service: string;
  paths: string[];
  methods: string[];
  stripPrefix: boolean;
  /** The literal part of each path pattern, in the order of `paths` (what strip_prefix removes). */
  literalPrefixes: string[];
  /** The path of the service's first target URL ('' for the root). */
  targetBasePath: string;
}

const OPERATIONS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function patternRegExp(pattern: string): RegExp {
  const segments = pattern.slice(1).split('/');
  let source = '';
  for (const segment of segments) {
    if (segment === '*') return new RegExp(`^${source}(?:/.*)?$`);
    source += segment.startsWith(':') ? '/[^/]+' : `/${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
  }
  return new RegExp(`^${source}$`);
}

function serverPath(document: OpenApiDocument): string {
  const url = document.servers?.[0]?.url;
  if (typeof url !== 'string') return '';
  try {
    return new URL(url, 'http://upstream').pathname.replace(/\/+$/, '');
  } catch {
    return '';
  }
}

/** Namespaces `#/components/<kind>/<name>` references by service, so two services' schemas never collide. */
function namespaced(value: unknown, service: string): unknown {
  if (Array.isArray(value)) return value.map((item) => namespaced(item, service));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      key === '$ref' && typeof item === 'string' && item.startsWith('#/components/')
        ? item.replace(/^#\/components\/([^/]+)\/(.+)$/, (_, kind: string, name: string) => `#/components/${kind}/${service}.${name}`)
        : namespaced(item, service);
  }
  return out;
}

/** The public path of an upstream document path through one route path, or undefined when the route does not reach it. */
export function publicPathFor(upstreamPath: string, exposure: RouteExposure, index: number): string | undefined {
  if (exposure.targetBasePath && !(upstreamPath === exposure.targetBasePath || upstreamPath.startsWith(`${exposure.targetBasePath}/`))) return undefined;
  const rest = upstreamPath.slice(exposure.targetBasePath.length);
  const candidate = exposure.stripPrefix ? `${exposure.literalPrefixes[index]}${rest}` || '/' : rest;
  return patternRegExp(exposure.paths[index]).test(candidate) ? candidate : undefined;
}

export function mergeDocuments(sources: DocSource[], exposures: RouteExposure[], meta: { title: string; version: string }): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  const components: Record<string, Record<string, unknown>> = {};
  const tags = new Map<string, unknown>();
  const conflicts: string[] = [];
  let openapi31 = false;

  for (const source of sources) {
    const document = source.document;
    if (!document) continue;
    if (typeof document.openapi === 'string' && document.openapi.startsWith('3.1')) openapi31 = true;
    const service = source.service;
    const base = serverPath(document);
    for (const [kind, entries] of Object.entries((document.components ?? {}) as Record<string, Record<string, unknown>>)) {
      if (!entries || typeof entries !== 'object') continue;
      components[kind] ??= {};
      for (const [name, definition] of Object.entries(entries)) components[kind][`${service}.${name}`] = namespaced(definition, service);
    }
    for (const tag of (document.tags ?? []) as Array<{ name: string }>) if (tag?.name && !tags.has(tag.name)) tags.set(tag.name, tag);
    if (!tags.has(service)) tags.set(service, { name: service, description: `Operations of the service "${service}".` });

    for (const exposure of exposures.filter((e) => e.service === service)) {
      const methods = new Set(exposure.methods.map((m) => m.toLowerCase()));
      for (const [docPath, item] of Object.entries((document.paths ?? {}) as Record<string, Record<string, unknown>>)) {
        if (!item || typeof item !== 'object') continue;
        for (let index = 0; index < exposure.paths.length; index++) {
          const publicPath = publicPathFor(`${base}${docPath}`, exposure, index);
          if (!publicPath) continue;
          const target = (paths[publicPath] ??= {});
          for (const [key, operation] of Object.entries(item)) {
            const isOperation = OPERATIONS.includes(key);
            if (isOperation && !methods.has(key)) continue;
            if (isOperation && target[key] !== undefined) {
              if ((target[key] as { 'x-gateway-route'?: string })['x-gateway-route'] !== exposure.route) conflicts.push(`${key.toUpperCase()} ${publicPath} (${exposure.route})`);
              continue;
            }
            if (!isOperation) {
              target[key] ??= namespaced(operation, service);
              continue;
            }
            const op = namespaced(operation, service) as Record<string, unknown>;
            if (!Array.isArray(op.tags) || op.tags.length === 0) op.tags = [service];
            if (typeof op.operationId === 'string') op.operationId = `${service}.${op.operationId}`;
            op['x-gateway-route'] = exposure.route;
            target[key] = op;
          }
          if (Object.keys(target).length === 0) delete paths[publicPath];
        }
      }
    }
  }

  const failed = sources.filter((s) => s.error);
  const description = [
    'The APIs of the services behind this gateway, under the paths the gateway serves them at.',
    ...failed.map((s) => `**${s.service}**: its document (${s.url}) could not be loaded: ${s.error}.`),
    ...(conflicts.length ? [`Operations claimed twice (the first kept): ${conflicts.join(', ')}.`] : []),
  ].join('\n\n');
  return {
    openapi: openapi31 ? '3.1.0' : '3.0.3',
    info: {
      title: meta.title,
      version: meta.version,
      description,
      'x-gateway-sources': sources.map((s) => ({ service: s.service, url: s.url, status: s.error ? 'error' : 'ok', ...(s.error ? { error: s.error } : {}) })),
    },
    servers: [{ url: '/' }],
    tags: [...tags.values()],
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components,
  };
}
