import type { RouteMatch, UpstreamTarget } from '../routing/table/compiled-route.js';

function segmentCount(literalPrefix: string): number {
  let count = 0;
  for (let i = 0; i < literalPrefix.length; i++) if (literalPrefix.charCodeAt(i) === 47 /* / */) count++;
  return count;
}

/** The request path after `strip_prefix`: the pattern's literal segments removed, the rest kept as sent. */
export function strippedPath(path: string, literalPrefix: string): string {
  // Counted in segments, not characters: the raw path may spell a literal segment percent-encoded.
  let segments = segmentCount(literalPrefix);
  let index = 0;
  while (segments > 0 && index !== -1) {
    index = path.indexOf('/', index + 1);
    segments--;
  }
  return index === -1 ? '' : path.slice(index);
}

/** `target base path + (stripped) request path + query`: what the upstream is asked for. */
export function upstreamPath(path: string, query: string, match: RouteMatch, target: UpstreamTarget): string {
  const rest = match.route.stripPrefix ? strippedPath(path, match.literalPrefix) : path;
  const joined = target.basePath + rest;
  return (joined === '' ? '/' : joined) + query;
}
