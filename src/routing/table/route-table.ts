import FindMyWay from 'find-my-way';
import { compileAuthPolicy, type RouteAuthPolicy } from '../route-auth.js';
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
  createdAt: Date;
}

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

  static compile(version: number, services: ServiceDefinition[], routes: RouteDefinition[]): RouteTable {
    const compiledServices = new Map<string, CompiledService>();
    for (const service of services) compiledServices.set(service.id, compileService(service));
    const router: Router = FindMyWay({ caseSensitive: true, ignoreTrailingSlash: false, maxParamLength: 500 });
    const claimed = new Map<string, string>();
    const shadowed: ShadowedRegistration[] = [];
    const compiledRoutes: CompiledRoute[] = [];

    const register = (route: CompiledRoute, method: string, host: string | null, path: string, literalPrefix: string, implicit: boolean) => {
      const key = `${method} ${host ?? '*'} ${path}`;
      const holder = claimed.get(key);
      if (holder !== undefined) {
        if (!implicit) shadowed.push({ route: route.name, method, host, path, shadowedBy: holder });
        return;
      }
      claimed.set(key, route.name);
      const store: Registration = { route, literalPrefix };
      const options = host ? { constraints: { host: hostConstraint(host) } } : {};
      router.on(method as FindMyWay.HTTPMethod, path, options, noop, store);
    };

    // Explicit paths first, so that the bare prefix a wildcard implies never hides a route that names it.
    const implicitPrefixes: Array<() => void> = [];
    for (const definition of [...routes].sort(byPrecedence)) {
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
        auth: compileAuthPolicy(definition.auth),
      };
      compiledRoutes.push(route);
      const hosts: Array<string | null> = definition.hosts.length ? definition.hosts : [null];
      for (const pattern of definition.paths) {
        const parsed = parseRoutePath(pattern);
        if (typeof parsed === 'string') throw new Error(`route ${definition.name}: path ${pattern} ${parsed}`);
        for (const method of definition.methods) {
          for (const host of hosts) {
            register(route, method, host, pattern, parsed.literalPrefix, false);
            // `/api/v1/context/*` serves `/api/v1/context` itself too, as a prefix should.
            if (parsed.kind === 'wildcard') {
              const bare = pattern.slice(0, -2);
              implicitPrefixes.push(() => register(route, method, host, bare, parsed.literalPrefix, true));
            }
          }
        }
      }
    }
    for (const registerImplicit of implicitPrefixes) registerImplicit();
    return new RouteTable(version, router, compiledRoutes.length, [...compiledServices.values()], compiledRoutes, shadowed);
  }

  /** `host` is the request's host name, lower-cased and without port. */
  match(method: string, host: string, path: string): RouteMatch | null {
    const found = this.router.find(method as FindMyWay.HTTPMethod, path, { host });
    if (!found) return null;
    // find-my-way lets `:id` match an empty segment (`/items/`); a named parameter needs a value.
    for (const name in found.params) if (name !== '*' && found.params[name] === '') return null;
    const registration = found.store as Registration;
    return { route: registration.route, literalPrefix: registration.literalPrefix, params: found.params };
  }
}

function noop(): void {}
