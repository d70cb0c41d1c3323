/**
 * The security headers the gateway adds to proxied responses (route `security_headers`, on by
 * default): the part of helmet's set that means something on an API response. Computed once per
 * route table, and added only where the upstream did not set the header itself, so an upstream's
 * own policy is never clobbered. (The control plane's own responses go through helmet itself.)
 */
export function securityHeaders(hstsMaxAge: number): ReadonlyArray<readonly [string, string]> {
  const headers: Array<readonly [string, string]> = [
    ['x-content-type-options', 'nosniff'],
    ['x-frame-options', 'DENY'],
    ['referrer-policy', 'no-referrer'],
    ['x-permitted-cross-domain-policies', 'none'],
  ];
  if (hstsMaxAge > 0) headers.push(['strict-transport-security', `max-age=${hstsMaxAge}; includeSubDomains`]);
  return headers;
}
