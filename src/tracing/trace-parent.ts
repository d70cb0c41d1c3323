/**
 * The trace id of a W3C `traceparent` header (version-traceid-parentid-flags), or undefined when the
 * header is absent or malformed. Used when tracing is off, so the access log still carries the
 * caller's trace id; the header itself passes upstream untouched then.
 */
const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}(?:-|$)/;
const INVALID_TRACE_ID = '00000000000000000000000000000000';

export function traceIdOf(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = TRACEPARENT.exec(header.trim());
  if (!match || header.startsWith('ff') || match[1] === INVALID_TRACE_ID) return undefined;
  return match[1];
}
