import { isIP } from 'node:net';
import { parseCidr } from '../../config/cidr.js';
import { isUuid } from '../../common/validators.js';
import type { RateLimitScope } from './limit-settings.js';

export const ANY = '*';

const ROUTE_REF = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
// A consumer id, username or custom_id, or a token's `sub`: printable ASCII without spaces.
const CALLER_REF = /^[\x21-\x7e]{1,256}$/;

const callerProblem = (value: string) => (value === ANY || CALLER_REF.test(value) ? undefined : 'a consumer id, username or custom_id, or a token subject (1-256 printable characters)');
const routeProblem = (value: string) => (value === ANY || ROUTE_REF.test(value) || isUuid(value) ? undefined : 'a route name or id');

/**
 * What `match` may say for each scope, normalised (an IP or CIDR in its canonical form), or the
 * reason it cannot. `*` means "each value on its own counter" (each IP, each consumer, ...).
 *
 *   global          *
 *   ip              *, an address (10.1.2.3, 2001:db8::1) or a CIDR (10.0.0.0/8): each address its own counter
 *   consumer        *, a consumer's id, username or custom_id, or a JWT subject
 *   api_key         *, an API key id
 *   route           *, a route's name or id
 *   route_consumer  <route|*>:<consumer|*>   (orders:*, orders:alice, *:alice, *:*)
 */
export function normaliseMatch(scope: RateLimitScope, match: string): { value: string } | { problem: string } {
  switch (scope) {
    case 'global':
      return match === ANY ? { value: ANY } : { problem: 'must be "*" for the global scope' };
    case 'ip': {
      if (match === ANY) return { value: ANY };
      const cidr = parseCidr(match);
      if (!cidr) return { problem: 'must be "*", an IP address or a CIDR such as 10.0.0.0/8' };
      const max = cidr.family === 'ipv4' ? 32 : 128;
      return { value: cidr.prefix === max ? canonicalIp(cidr.address) : `${canonicalIp(cidr.address)}/${cidr.prefix}` };
    }
    case 'consumer': {
      const problem = callerProblem(match);
      return problem ? { problem: `must be "*" or ${problem}` } : { value: match };
    }
    case 'api_key':
      return match === ANY || isUuid(match) ? { value: match.toLowerCase() } : { problem: 'must be "*" or an API key id (UUID)' };
    case 'route': {
      const problem = routeProblem(match);
      return problem ? { problem: `must be "*" or ${problem}` } : { value: match };
    }
    case 'route_consumer': {
      const colon = match.indexOf(':');
      if (colon < 0) return { problem: 'must be <route>:<consumer>, either side "*" (orders:*, orders:alice, *:alice, *:*)' };
      const route = match.slice(0, colon);
      const caller = match.slice(colon + 1);
      const problem = routeProblem(route) ?? callerProblem(caller);
      return problem ? { problem: `must be <route>:<consumer>, either side "*"; "${problem === routeProblem(route) ? route : caller}" is not ${problem}` } : { value: match };
    }
  }
}

/** One spelling per address, so that `::FFFF:10.0.0.1`-style variants find the same rule and counter. */
export function canonicalIp(address: string): string {
  if (isIP(address) !== 6) return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address.toLowerCase();
  }
}
