import type { IncomingHttpHeaders } from 'node:http';

const BEARER = 'bearer';

/**
 * The token of an `Authorization: Bearer <token>` header (the scheme in any case, RFC 7235), `''`
 * for a Bearer header without one, undefined when there is no header or it is another scheme.
 */
export function bearerTokenOf(authorization: string | undefined): string | undefined {
  if (authorization === undefined || authorization.length < BEARER.length) return undefined;
  for (let i = 0; i < BEARER.length; i++) if ((authorization.charCodeAt(i) | 0x20) !== BEARER.charCodeAt(i)) return undefined;
  if (authorization.length === BEARER.length) return '';
  if (authorization.charCodeAt(BEARER.length) !== 32 /* space */) return undefined;
  return authorization.slice(BEARER.length + 1).trim();
}

/** A header sent once, as a string; a repeated one is read as node joined it (and will not match a key). */
export function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}
