import type { CompiledAuthPolicy } from './table/compiled-route.js';

export const AUTH_METHODS = ['jwt', 'api_key'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];
export const SCOPE_MATCHES = ['any', 'all'] as const;
export type ScopeMatch = (typeof SCOPE_MATCHES)[number];

/** A route's authentication policy as stored and shown (snake_case, every field present). */
export interface RouteAuthPolicy {
  required: boolean;
  methods: AuthMethod[];
  scopes: string[];
  scope_match: ScopeMatch;
  forward_authorization: boolean;
}

/** New routes require a credential unless they say otherwise. */
export const DEFAULT_ROUTE_AUTH: Readonly<RouteAuthPolicy> = Object.freeze({
  required: true,
  methods: [...AUTH_METHODS],
  scopes: [],
  scope_match: 'all',
  forward_authorization: false,
});

/** The fields given replace those of `base` (JSON merge patch); the rest are kept. */
export function mergeAuthPolicy(given: Partial<RouteAuthPolicy> | undefined, base: RouteAuthPolicy = DEFAULT_ROUTE_AUTH): RouteAuthPolicy {
  return {
    required: given?.required ?? base.required,
    methods: [...(given?.methods ?? base.methods)],
    scopes: [...(given?.scopes ?? base.scopes)],
    scope_match: given?.scope_match ?? base.scope_match,
    forward_authorization: given?.forward_authorization ?? base.forward_authorization,
  };
}

/** Rules across fields, checked on the whole policy (after a PATCH has been merged in). */
export function authPolicyProblems(policy: RouteAuthPolicy): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  if (policy.required && policy.methods.length === 0) {
    problems.push({ field: 'auth.methods', message: 'auth.methods must name at least one method when auth.required is true' });
  }
  if (!policy.required && policy.scopes.length > 0) {
    problems.push({ field: 'auth.scopes', message: 'auth.scopes need auth.required: true (an anonymous caller holds no scopes)' });
  }
  return problems;
}

export function sameAuthPolicy(a: RouteAuthPolicy, b: RouteAuthPolicy): boolean {
  const same = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return (
    a.required === b.required &&
    same(a.methods, b.methods) &&
    same(a.scopes, b.scopes) &&
    a.scope_match === b.scope_match &&
    a.forward_authorization === b.forward_authorization
  );
}

export function compileAuthPolicy(policy: RouteAuthPolicy): CompiledAuthPolicy {
  return Object.freeze({
    required: policy.required,
    jwt: policy.methods.includes('jwt'),
    apiKey: policy.methods.includes('api_key'),
    scopes: Object.freeze([...policy.scopes]),
    matchAll: policy.scope_match === 'all',
    forwardAuthorization: policy.forward_authorization,
  });
}
