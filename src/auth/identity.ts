import type { Identity } from '../proxy/request-context.js';

// Visible ASCII and space: what a header value may carry as is.
const HEADER_SAFE = /^[\x20-\x7e]*$/;

/** A value fit for an HTTP header: anything outside printable ASCII is percent-encoded. */
export const headerSafe = (value: string): string => (HEADER_SAFE.test(value) ? value : encodeURIComponent(value));

/** Builds an identity once (per consumer, per verified token), headers included, so requests only read it. */
export function buildIdentity(method: Identity['method'], consumerId: string | null, subject: string, scopes: Iterable<string>): Identity {
  const set = new Set(scopes);
  return Object.freeze({
    method,
    consumerId,
    subject,
    scopes: set,
    headers: Object.freeze({ userId: headerSafe(subject), scopes: [...set].join(' ') }),
  });
}

/** Whether `held` satisfies the scopes a route or endpoint asks for. */
export function holdsScopes(held: ReadonlySet<string>, needed: readonly string[], all: boolean): boolean {
  if (all) {
    for (const scope of needed) if (!held.has(scope)) return false;
    return true;
  }
  for (const scope of needed) if (held.has(scope)) return true;
  return needed.length === 0;
}
