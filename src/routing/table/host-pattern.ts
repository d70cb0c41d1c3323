const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOST = new RegExp(`^(?:\\*\\.)?${LABEL}(?:\\.${LABEL})*$`);

/** `api.example.com` or `*.example.com` (exactly one label in place of the star). */
export function isValidHostPattern(host: string): boolean {
  return typeof host === 'string' && host.length <= 253 && HOST.test(host);
}

/** What find-my-way's host constraint takes: the name itself, or a RegExp for a wildcard. */
export function hostConstraint(host: string): string | RegExp {
  if (!host.startsWith('*.')) return host;
  const suffix = host.slice(2).replaceAll('.', '\\.');
  return new RegExp(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.${suffix}$`);
}

/** The host a request names, lower-cased and without its port (`Api.Example.com:8443` → `api.example.com`). */
export function requestHost(hostHeader: string | undefined): string {
  if (!hostHeader) return '';
  if (hostHeader.charCodeAt(0) === 91 /* [ */) {
    const end = hostHeader.indexOf(']');
    return (end === -1 ? hostHeader : hostHeader.slice(0, end + 1)).toLowerCase();
  }
  const colon = hostHeader.indexOf(':');
  return (colon === -1 ? hostHeader : hostHeader.slice(0, colon)).toLowerCase();
}
