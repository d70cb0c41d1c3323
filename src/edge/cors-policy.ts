/** CORS settings as written (route `cors` or the CORS_* variables) and as the data plane reads them. */
export interface CorsSettings {
  /** `https://app.example.com`, `https://*.example.com`, `*.example.com` (either scheme), or `*`. Empty: CORS off. */
  origins: string[];
  methods?: string[];
  /** Request headers a browser may send; left out: whatever the preflight asks for. */
  headers?: string[];
  expose_headers?: string[];
  credentials?: boolean;
  max_age?: number;
}

/** Only the fields given, in one order, so that a later default change reaches routes that did not set them. */
export function normalizedCors(input: CorsSettings): CorsSettings {
  const settings: CorsSettings = { origins: input.origins };
  if (input.methods !== undefined) settings.methods = input.methods;
  if (input.headers !== undefined) settings.headers = input.headers;
  if (input.expose_headers !== undefined) settings.expose_headers = input.expose_headers;
  if (input.credentials !== undefined) settings.credentials = input.credentials;
  if (input.max_age !== undefined) settings.max_age = input.max_age;
  return settings;
}

/** Equal settings whatever their key order (jsonb keeps its own). */
export function sameCors(a: CorsSettings | null | undefined, b: CorsSettings | null | undefined): boolean {
  return JSON.stringify(a ? normalizedCors(a) : null) === JSON.stringify(b ? normalizedCors(b) : null);
}

export const DEFAULT_CORS_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const ORIGIN_PATTERN = new RegExp(`^(?:(?:https?)://)?(?:\\*\\.)?${LABEL}(?:\\.${LABEL})*(?::\\d{1,5})?$`);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/i;

/** Why an origin pattern is not one, or undefined when it is. */
export function originPatternProblem(pattern: unknown): string | undefined {
  if (typeof pattern !== 'string') return 'must be a string';
  if (pattern === '*') return undefined;
  if (pattern.length > 253 || !ORIGIN_PATTERN.test(pattern)) return 'is not an origin such as https://app.example.com, https://*.example.com or *';
  if (!pattern.includes('://') && !pattern.startsWith('*.')) return 'needs a scheme (https://app.example.com) unless it is a wildcard (*.example.com)';
  return undefined;
}

export function headerNameProblem(name: unknown): string | undefined {
  return typeof name === 'string' && HEADER_NAME.test(name) ? undefined : 'is not a header name';
}

/** What the data plane reads: everything joined and matched in advance, nothing parsed per request. */
export interface CompiledCors {
  readonly anyOrigin: boolean;
  readonly exact: ReadonlySet<string>;
  readonly wildcard: RegExp | undefined;
  readonly methods: ReadonlySet<string>;
  readonly allowMethods: string;
  /** undefined: reflect Access-Control-Request-Headers. */
  readonly headers: ReadonlySet<string> | undefined;
  readonly allowHeaders: string | undefined;
  readonly exposeHeaders: string | undefined;
  readonly credentials: boolean;
  readonly maxAge: string;
}

export function compileCors(settings: CorsSettings | null | undefined): CompiledCors | undefined {
  if (!settings || settings.origins.length === 0) return undefined;
  const exact = new Set<string>();
  const wildcards: string[] = [];
  let anyOrigin = false;
  for (const raw of settings.origins) {
    const origin = raw.toLowerCase();
    if (origin === '*') anyOrigin = true;
    else if (origin.includes('*.')) {
      const [scheme, rest] = origin.includes('://') ? origin.split('://') : ['https?', origin];
      const [suffix, port] = rest.slice(2).split(':');
      wildcards.push(`${scheme}://${LABEL}(?:\\.${LABEL})*\\.${suffix.replaceAll('.', '\\.')}${port ? `:${port}` : ''}`);
    } else exact.add(origin);
  }
  const methods = (settings.methods ?? DEFAULT_CORS_METHODS).map((m) => m.toUpperCase());
  const headers = settings.headers?.map((h) => h.toLowerCase());
  return {
    anyOrigin,
    exact,
    wildcard: wildcards.length ? new RegExp(`^(?:${wildcards.join('|')})$`) : undefined,
    methods: new Set(methods),
    allowMethods: methods.join(', '),
    headers: headers ? new Set(headers) : undefined,
    allowHeaders: headers?.join(', '),
    exposeHeaders: settings.expose_headers?.length ? settings.expose_headers.join(', ') : undefined,
    credentials: settings.credentials ?? false,
    maxAge: String(settings.max_age ?? 600),
  };
}

export function allowsOrigin(cors: CompiledCors, origin: string): boolean {
  if (cors.anyOrigin) return true;
  const lower = origin.toLowerCase();
  return cors.exact.has(lower) || (cors.wildcard !== undefined && cors.wildcard.test(lower));
}

/** The Access-Control-Allow-Origin value: `*` only when any origin goes and no credentials travel. */
export function allowOriginValue(cors: CompiledCors, origin: string): string {
  return cors.anyOrigin && !cors.credentials ? '*' : origin;
}
