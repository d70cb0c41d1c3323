import { BlockList, isIP } from 'node:net';
import { splitList } from '../common/list.js';

export interface Cidr {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** `10.0.0.0/8`, `2001:db8::/32` or a bare address (a /32 or /128); undefined when it is neither. */
export function parseCidr(entry: string): Cidr | undefined {
  const [address, prefixText, ...rest] = entry.trim().split('/');
  if (rest.length) return undefined;
  const version = isIP(address);
  if (version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return undefined;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/**
 * Which peers may speak for the client through X-Forwarded-For (TRUSTED_PROXIES). Built once; a
 * check is one BlockList lookup.
 */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly isEmpty: boolean;

  constructor(setting: string) {
    const cidrs = splitList(setting).map((entry) => {
      const cidr = parseCidr(entry);
      if (!cidr) throw new Error(`TRUSTED_PROXIES: ${entry} is not an IP address or CIDR`);
      return cidr;
    });
    for (const { address, prefix, family } of cidrs) this.list.addSubnet(address, prefix, family);
    this.isEmpty = cidrs.length === 0;
  }

  trusts(address: string): boolean {
    if (this.isEmpty || !address) return false;
    return this.list.check(address, address.includes(':') ? 'ipv6' : 'ipv4');
  }

  /**
   * The client's address: the peer itself unless it is a trusted proxy; then the right-most entry of
   * X-Forwarded-For that is not a trusted proxy (entries left of it could be forged by the client).
   */
  clientOf(peer: string, forwardedFor: string | string[] | undefined): string {
    if (!forwardedFor || !this.trusts(peer)) return peer;
    const chain = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
    let client = peer;
    for (let i = chain.length - 1; i >= 0; i--) {
      const hop = unmapped(chain[i].trim());
      if (isIP(hop) === 0) break;
      client = hop;
      if (!this.trusts(hop)) break;
    }
    return client;
  }
}

/** `::ffff:10.0.0.1` → `10.0.0.1`. */
export function unmapped(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
