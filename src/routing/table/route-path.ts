const PARAM_SEGMENT = /^:([A-Za-z_][A-Za-z0-9_]{0,63})$/;
// RFC 3986 pchar without ":" (find-my-way reads it as a parameter) and without "%": find-my-way
// matches decoded request paths, so a pattern spelling an escape could never be reached.
const LITERAL_SEGMENT = /^[A-Za-z0-9._~!$&'()+,;=@-]+$/;
export const MAX_ROUTE_PATH_LENGTH = 1024;

export type RoutePathKind = 'static' | 'param' | 'wildcard';

export interface RoutePath {
  pattern: string;
  kind: RoutePathKind;
  /** The segments before the first parameter or wildcard: what `strip_prefix` removes. */
  literalPrefix: string;
}

/**
 * Parses a route path pattern: `/api/v1/jobs/search` (static), `/api/v1/items/:id/status` (param),
 * `/api/v1/context/*` (prefix wildcard, last segment only). Returns the reason when it is not one.
 */
export function parseRoutePath(pattern: string): RoutePath | string {
  if (typeof pattern !== 'string' || pattern.length === 0) return 'must be a non-empty string';
  if (pattern.length > MAX_ROUTE_PATH_LENGTH) return `must be at most ${MAX_ROUTE_PATH_LENGTH} characters`;
  if (!pattern.startsWith('/')) return 'must start with "/"';
  if (pattern === '/') return 'must name at least one segment';
  const segments = pattern.slice(1).split('/');
  const params = new Set<string>();
  let kind: RoutePathKind = 'static';
  let literalCount = -1;
  for (const [index, segment] of segments.entries()) {
    const last = index === segments.length - 1;
    if (segment === '') return last ? 'must not end with "/" (use "/*" for a prefix)' : 'must not contain empty segments ("//")';
    if (segment === '*') {
      if (!last) return '"*" is allowed only as the last segment';
      if (index === 0) return 'needs a literal segment before "/*"';
      kind = 'wildcard';
    } else if (segment.startsWith(':')) {
      const match = PARAM_SEGMENT.exec(segment);
      if (!match) return `parameter "${segment}" must be ":" followed by a name of letters, digits and "_"`;
      if (params.has(match[1])) return `parameter "${segment}" appears twice`;
      params.add(match[1]);
      if (kind === 'static') kind = 'param';
    } else {
      if (segment === '.' || segment === '..') return 'must not contain "." or ".." segments';
      if (segment.includes('%')) return `segment "${segment}" holds a percent-escape; route paths take plain characters`;
      if (!LITERAL_SEGMENT.test(segment)) return `segment "${segment}" has characters a path segment may not hold`;
      continue;
    }
    if (literalCount === -1) literalCount = index;
  }
  const literalSegments = literalCount === -1 ? segments : segments.slice(0, literalCount);
  return { pattern, kind, literalPrefix: literalSegments.length ? `/${literalSegments.join('/')}` : '' };
}

/** Whether a path lies under one of the proxied prefixes, at a segment boundary. */
export function isUnderPrefix(path: string, prefixes: readonly string[]): boolean {
  return prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}
