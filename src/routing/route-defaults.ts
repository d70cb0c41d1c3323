import { HTTP_METHODS, type ReplaceRouteDto } from './dto/route.dto.js';
import { mergeAuthPolicy } from './route-auth.js';

/** What a route's optional fields are when a whole route (POST, PUT, the declarative file) leaves them out. */
export function routeDefaultsFor(body: ReplaceRouteDto) {
  return {
    methods: body.methods ?? [...HTTP_METHODS],
    hosts: body.hosts ?? [],
    strip_prefix: body.strip_prefix ?? false,
    preserve_host: body.preserve_host ?? false,
    priority: body.priority ?? 0,
    timeout_ms: body.timeout_ms ?? null,
    connect_timeout_ms: body.connect_timeout_ms ?? null,
    headers_timeout_ms: body.headers_timeout_ms ?? null,
    body_timeout_ms: body.body_timeout_ms ?? null,
    retries: body.retries ?? null,
    retry_non_idempotent: body.retry_non_idempotent ?? false,
    tags: body.tags ?? [],
    cors: body.cors ?? null,
    security_headers: body.security_headers ?? true,
    websocket: body.websocket ?? false,
    api_version: body.api_version ?? null,
    api_version_default: body.api_version_default ?? false,
    auth: mergeAuthPolicy(body.auth),
    cache: body.cache ?? null,
    rate_limits: body.rate_limits ?? [],
  };
}

/**
 * A new route's plain columns from a whole-route body, the optional ones at their defaults; the
 * policies that need checking or normalising (auth, CORS, cache, rate limits) are the caller's.
 */
export function newRouteColumns(body: ReplaceRouteDto & { paths: string[] }) {
  const defaults = routeDefaultsFor(body);
  return {
    paths: body.paths,
    methods: defaults.methods,
    hosts: defaults.hosts,
    stripPrefix: defaults.strip_prefix,
    preserveHost: defaults.preserve_host,
    priority: defaults.priority,
    timeoutMs: defaults.timeout_ms,
    connectTimeoutMs: defaults.connect_timeout_ms,
    headersTimeoutMs: defaults.headers_timeout_ms,
    bodyTimeoutMs: defaults.body_timeout_ms,
    retries: defaults.retries,
    retryNonIdempotent: defaults.retry_non_idempotent,
    tags: defaults.tags,
    securityHeaders: defaults.security_headers,
    websocket: defaults.websocket,
    apiVersion: defaults.api_version,
    apiVersionDefault: defaults.api_version_default,
  };
}
