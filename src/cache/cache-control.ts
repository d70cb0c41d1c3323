import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** Statuses cached by default, as Kong's proxy-cache does: success, permanent redirect, not found. */
export const CACHEABLE_STATUS = new Set([200, 301, 404]);

/** What the request's own Cache-Control asks of a shared cache. */
export type RequestCacheMode = 'lookup' | 'refresh' | 'bypass';

function directives(value: string | string[] | number | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value.join(',') : String(value)).toLowerCase().split(',').map((d) => d.trim());
}

/**
 * `no-store`: neither read nor write the cache. `no-cache` (or the old `Pragma: no-cache`): do not
 * answer from the cache, but the fresh answer may replace the entry.
 */
export function requestCacheMode(headers: IncomingHttpHeaders): RequestCacheMode {
  const cacheControl = headers['cache-control'];
  if (cacheControl === undefined && headers.pragma === undefined) return 'lookup';
  const list = directives(cacheControl);
  if (list.includes('no-store')) return 'bypass';
  if (list.includes('no-cache') || list.some((d) => d.startsWith('max-age=0')) || (cacheControl === undefined && directives(headers.pragma).includes('no-cache'))) {
    return 'refresh';
  }
  return 'lookup';
}

function secondsOf(list: string[], name: string): number | undefined {
  const directive = list.find((d) => d.startsWith(`${name}=`));
  if (!directive) return undefined;
  const value = Number(directive.slice(name.length + 1).replace(/"/g, ''));
  return Number.isFinite(value) && value >= 0 ? value : 0;
}

/** The upstream's Vary names, lower case; `['*']` when it varies on everything. */
export function varyNames(value: string | string[] | number | undefined): string[] {
  return directives(value).filter(Boolean);
}

/**
 * How long a shared cache may keep this answer, bounded by the route's TTL; 0 when it must not be
 * stored: an uncached status, `no-store`, `private`, `no-cache`, `Vary: *`, a Set-Cookie, or an
 * `s-maxage`/`max-age` of 0. `s-maxage` speaks to shared caches and wins over `max-age`.
 */
export function storableTtlMs(status: number, headers: OutgoingHttpHeaders, routeTtlMs: number): number {
  if (!CACHEABLE_STATUS.has(status)) return 0;
  if (headers['set-cookie'] !== undefined) return 0;
  if (varyNames(headers.vary).includes('*')) return 0;
  const list = directives(headers['cache-control']);
  if (list.some((d) => d === 'no-store' || d === 'private' || d === 'no-cache' || d.startsWith('private=') || d.startsWith('no-cache='))) return 0;
  const seconds = secondsOf(list, 's-maxage') ?? secondsOf(list, 'max-age');
  return seconds === undefined ? routeTtlMs : Math.min(routeTtlMs, seconds * 1000);
}

/** A request header's value as one comparable string. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return value === undefined ? '' : Array.isArray(value) ? value.join(', ') : value;
}
