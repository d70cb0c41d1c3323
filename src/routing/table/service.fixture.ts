import { compileAuthPolicy, DEFAULT_ROUTE_AUTH } from '../route-auth.js';
import type { CompiledRoute, CompiledService } from './compiled-route.js';
import { compileService, type ServiceDefinition, type TargetDefinition } from './compile-service.js';

/** Unit-test fixtures: definitions with every setting at its default, and what they compile to. */

export const target = (id: string, url: string, weight = 100, overrides: Partial<TargetDefinition> = {}): TargetDefinition => ({
  id,
  url,
  weight,
  source: 'admin',
  checkPath: null,
  checkIntervalS: null,
  ttlSeconds: null,
  ...overrides,
});

export function serviceDefinition(overrides: Partial<ServiceDefinition> = {}): ServiceDefinition {
  return {
    id: 'svc',
    name: 'svc',
    connectTimeoutMs: 5_000,
    timeoutMs: 60_000,
    headersTimeoutMs: null,
    bodyTimeoutMs: null,
    retries: 2,
    retryBufferBytes: 65_536,
    loadBalancing: 'weighted',
    hashOn: 'ip',
    hashOnHeader: null,
    healthCheck: null,
    passiveHealthCheck: null,
    circuitBreaker: null,
    maxConcurrentRequests: null,
    targets: [],
    ...overrides,
  };
}

export const compiledService = (overrides: Partial<ServiceDefinition> = {}): CompiledService => compileService(serviceDefinition(overrides));

export function compiledRoute(service: CompiledService, overrides: Partial<CompiledRoute> = {}): CompiledRoute {
  return {
    id: 'r',
    name: 'r',
    service,
    stripPrefix: false,
    preserveHost: false,
    connectTimeoutMs: service.connectTimeoutMs,
    headersTimeoutMs: service.headersTimeoutMs,
    bodyTimeoutMs: service.bodyTimeoutMs,
    retries: service.retries,
    retryNonIdempotent: false,
    priority: 0,
    cors: undefined,
    responseHeaders: [],
    websocket: false,
    apiVersion: null,
    auth: compileAuthPolicy(DEFAULT_ROUTE_AUTH),
    cache: null,
    rateLimits: null,
    ...overrides,
  };
}
