import { setImmediate as nextTurn } from 'node:timers/promises';
import FindMyWay from 'find-my-way';
import { compileCachePolicy } from '../../cache/compiled-cache-policy.js';
import type { RouteCacheSettings } from '../../cache/route-cache-settings.js';
import { compileCors, type CorsSettings } from '../../edge/cors-policy.js';
import { compileAuthPolicy, type RouteAuthPolicy } from '../route-auth.js';
import { compileRouteRateLimits } from '../../rate-limit/policy/route-rate-limits.js';
import type { RouteRateLimit } from '../../rate-limit/policy/limit-settings.js';
import type { CompiledRoute, CompiledService, RouteMatch } from './compiled-route.js';
import { compileService, type ServiceDefinition } from './compile-service.js';
import { hostConstraint } from './host-pattern.js';
import { parseRoutePath } from './route-path.js';

export interface RouteDefinition {
  id: string;
  name: string;
  serviceId: string;
  paths: string[];
  methods: string[];
  hosts: string[];
  stripPrefix: boolean;
  preserveHost: boolean;
  priority: number;
  timeoutMs: number | null;
  connectTimeoutMs: number | null;
  headersTimeoutMs: number | null;
  bodyTimeoutMs: number | null;
  retries: number | null;
  retryNonIdempotent: boolean;
  auth: RouteAuthPolicy;
  cache?: RouteCacheSettings | null;
  rateLimits?: RouteRateLimit[];
  createdAt: Date;
  cors?: CorsSettings | null;
  securityHeaders?: boolean;
  websocket?: boolean;
  apiVersion?: string | null;
  apiVersionDefault?: boolean;
}

/** Gateway-wide settings the routes fall back on, from the environment. */
export interface CompileOptions {
  /** Used by routes whose `cors` is null. */
  defaultCors?: CorsSettings;
  securityHeaders?: ReadonlyArray<readonly [string, string]>;
}

/** The version a request names: X-API-Version, else Accept-Version, else none. */
export function requestedVersion(headers: { [name: string]: string | string[] | undefined }): string {
  const value = headers['x-api-version'] ?? headers['accept-version'];
  return typeof value === 'string' ? value : NO_VERSION;
}

/** What a request naming no version carries as its apiVersion constraint (a header value is never empty). */
const NO_VERSION = '';

/**
 * find-my-way constraint on the exact version string. Not must-match: a route without api_version
 * serves every version, and one with it wins over such a route when the versions agree.
 */
const apiVersionStrategy: FindMyWay.ConstraintStrategy<FindMyWay.HTTPVersion.V1, string> = {
  name: 'apiVersion',
  mustMatchWhenDerived: false,
  storage() {
    const stores = new Map<string, unknown>();
    return { get: (version: string) => (stores.get(version) ?? null) as never, set: (version: string, store: unknown) => void stores.set(version, store) };
  },
  deriveConstraint: (req) => requestedVersion(req.headers),
};

/** A registration another route already held: reported, never silently dropped. */
export interface ShadowedRegistration {
  route: string;
  method: string;
  host: string | null;
  path: string;
  shadowedBy: string;
}

interface Registration {
  route: CompiledRoute;
  literalPrefix: string;
}

type Router = FindMyWay.Instance<FindMyWay.HTTPVersion.V1>;

function byPrecedence(a: RouteDefinition, b: RouteDefinition): number {
  return b.priority - a.priority || a.createdAt.getTime() - b.createdAt.getTime() || (a.name < b.name ? -1 : 1);
}

/**
 * The compiled, immutable route table of one configuration version: a radix tree (find-my-way)
 * keyed by method, path and host. Precedence is the tree's (static > param > wildcard, segment by
 * segment), then `priority` among routes that claim the very same method, host and path.
 */
export class RouteTable {
  private constructor(
    readonly version: number,
    private readonly router: Router,
    readonly routeCount: number,
    readonly services: readonly CompiledService[],
    /** Every compiled route once (a route registered under several paths appears once). */
    readonly routes: readonly CompiledRoute[],
    readonly shadowed: readonly ShadowedRegistration[],
  ) {}

  static empty(version = -1): RouteTable {
    return new RouteTable(version, FindMyWay(), 0, [], [], []);
  }

  /** Whether some target in rotation is a registration with a TTL (heartbeats then matter). */
  hasTargetsWithTtl(): boolean {
    return this.services.some((service) => service.targets.some((target) => target.hasTtl));
  }

  /** A service by id or name (for the control plane; the data plane gets it from the match). */
  service(idOrName: string): CompiledService | undefined {
    return this.services.find((s) => s.id === idOrName || s.name === idOrName);
  }

  /** Compiles the table in one go (a test, the matcher benchmark). */
  static compile(version: number, services: ServiceDefinition[], routes: RouteDefinition[], options: CompileOptions = {}): RouteTable {
    const steps = RouteTable.compileSteps(version, services, routes, options);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  }

  /**
   * Compiles the table a slice of `sliceMs` at a time, giving the event loop back in between, so
   * that proxied requests go on being served on the table in place until this one is swapped in.
   * In one go, a change at 10,000 routes held the loop for half a second, and every request in
   * flight waited for it (bench/RESULTS.md).
   */
  static async compileInSlices(version: number, services: ServiceDefinition[], routes: RouteDefinition[], options: CompileOptions = {}, sliceMs = 5): Promise<RouteTable> {
    const steps = RouteTable.compileSteps(version, services, routes, options);
    let sliceEnd = performance.now() + sliceMs;
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
      if (performance.now() < sliceEnd) continue;
      await nextTurn();
      sliceEnd = performance.now() + sliceMs;
    }
  }

  /** The compile, one route at a time: it yields after each. */
  private static *compileSteps(version: number, services: ServiceDefinition[], routes: RouteDefinition[], options: CompileOptions): Generator<void, RouteTable, void> {
    const defaultCors = compileCors(options.defaultCors);
    const securityHeaders = options.securityHeaders ?? [];
    const compiledServices = new Map<string, CompiledService>();
    for (const service of services) compiledServices.set(service.id, compileService(service));
    const router: Router = FindMyWay({ caseSensitive: true, ignoreTrailingSlash: false, maxParamLength: 500, constraints: { apiVersion: apiVersionStrategy } });
    const claimed = new Map<string, string>();
    const shadowed: ShadowedRegistration[] = [];
    const compiledRoutes: CompiledRoute[] = [];

    const register = (route: CompiledRoute, version: string | null, method: string, host: string | null, path: string, literalPrefix: string, implicit: boolean) => {
      const key = `${method} ${host ?? '*'} ${path}${version === null ? '' : ` version=${version || '(none)'}`}`;
      const holder = claimed.get(key);
      if (holder !== undefined) {
        if (!implicit) shadowed.push({ route: route.name, method, host, path, shadowedBy: holder });
        return;
      }
      claimed.set(key, route.name);
      const store: Registration = { route, literalPrefix };
      const constraints: { host?: string | RegExp; apiVersion?: string } = {};
      if (host) constraints.host = hostConstraint(host);
      if (version !== null) constraints.apiVersion = version;
      router.on(method as FindMyWay.HTTPMethod, path, { constraints }, noop, store);
    };

    // Explicit paths first, so that the bare prefix a wildcard implies never hides a route that names it.
    const implicitPrefixes: Array<() => void> = [];
    for (const definition of [...routes].sort(byPrecedence)) {
      yield;
      const service = compiledServices.get(definition.serviceId);
      if (!service) continue;
      const route: CompiledRoute = {
        id: definition.id,
        name: definition.name,
        service,
        stripPrefix: definition.stripPrefix,
        preserveHost: definition.preserveHost,
        // Most specific first: the route's own bound, its `timeout_ms`, then the service's.
        connectTimeoutMs: definition.connectTimeoutMs ?? service.connectTimeoutMs,
        headersTimeoutMs: definition.headersTimeoutMs ?? definition.timeoutMs ?? service.headersTimeoutMs,
        bodyTimeoutMs: definition.bodyTimeoutMs ?? definition.timeoutMs ?? service.bodyTimeoutMs,
        retries: definition.retries ?? service.retries,
        retryNonIdempotent: definition.retryNonIdempotent,
        priority: definition.priority,
        // A route's own `{"origins": []}` turns CORS off even when CORS_ORIGINS is set.
        cors: definition.cors === null || definition.cors === undefined ? defaultCors : compileCors(definition.cors),
        responseHeaders: definition.securityHeaders === false ? [] : securityHeaders,
        websocket: definition.websocket ?? false,
        apiVersion: definition.apiVersion ?? null,
        auth: compileAuthPolicy(definition.auth),
        cache: compileCachePolicy(definition.cache),
        rateLimits: compileRouteRateLimits(definition.name, definition.rateLimits),
      };
      compiledRoutes.push(route);
      // A default version also serves requests that name none.
      const versions: Array<string | null> = route.apiVersion === null ? [null] : definition.apiVersionDefault ? [route.apiVersion, NO_VERSION] : [route.apiVersion];
      const hosts: Array<string | null> = definition.hosts.length ? definition.hosts : [null];
      for (const pattern of definition.paths) {
        const parsed = parseRoutePath(pattern);
        if (typeof parsed === 'string') throw new Error(`route ${definition.name}: path ${pattern} ${parsed}`);
        for (const method of definition.methods) {
          for (const host of hosts) {
            for (const version of versions) {
              register(route, version, method, host, pattern, parsed.literalPrefix, false);
              // `/api/v1/context/*` serves `/api/v1/context` itself too, as a prefix should.
              if (parsed.kind === 'wildcard') {
                const bare = pattern.slice(0, -2);
                implicitPrefixes.push(() => register(route, version, method, host, bare, parsed.literalPrefix, true));
              }
            }
          }
        }
      }
    }
    for (const registerImplicit of implicitPrefixes) {
      yield;
      registerImplicit();
    }
    return new RouteTable(version, router, compiledRoutes.length, [...compiledServices.values()], compiledRoutes, shadowed);
  }

  /** `host` is the request's host name, lower-cased and without port; `apiVersion` from requestedVersion(). */
  match(method: string, host: string, path: string, apiVersion = NO_VERSION): RouteMatch | null {
    const found = this.router.find(method as FindMyWay.HTTPMethod, path, { host, apiVersion });
    if (!found) return null;
    // find-my-way lets `:id` match an empty segment (`/items/`); a named parameter needs a value.
    for (const name in found.params) if (name !== '*' && found.params[name] === '') return null;
    const registration = found.store as Registration;
    return { route: registration.route, literalPrefix: registration.literalPrefix, params: found.params };
  }
}

function noop(): void {}
