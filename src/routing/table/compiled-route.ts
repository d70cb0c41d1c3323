import type { CompiledCors } from '../../edge/cors-policy.js';

/** The route table's view of the configuration: plain data, built once per configuration version. */

export interface UpstreamTarget {
  readonly id: string;
  /** `http://10.0.0.5:8080`: the key of the connection pool. */
  readonly origin: string;
  /** The target URL's path without a trailing slash (`''` for the root). */
  readonly basePath: string;
  /** What the Host header says upstream unless the route preserves the client's. */
  readonly hostHeader: string;
  readonly weight: number;
}

export interface CompiledService {
  readonly id: string;
  readonly name: string;
  readonly connectTimeoutMs: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly targets: readonly UpstreamTarget[];
}

export interface CompiledRoute {
  readonly id: string;
  readonly name: string;
  readonly service: CompiledService;
  readonly stripPrefix: boolean;
  readonly preserveHost: boolean;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly priority: number;
  /** undefined: CORS off (neither the route nor CORS_ORIGINS turned it on). */
  readonly cors: CompiledCors | undefined;
  /** Added to each proxied response where the upstream did not set them; empty when `security_headers` is off. */
  readonly responseHeaders: ReadonlyArray<readonly [string, string]>;
  readonly websocket: boolean;
  /** The version the route matches on (X-API-Version / Accept-Version), or null for any. */
  readonly apiVersion: string | null;
}

export interface RouteMatch {
  readonly route: CompiledRoute;
  /** The literal part of the matched path pattern: what `strip_prefix` removes from the request path. */
  readonly literalPrefix: string;
  readonly params: Readonly<Record<string, string | undefined>>;
}
