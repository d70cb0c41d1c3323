import { type BlockList, isIP } from 'node:net';
import { splitList } from '../common/list.js';
import { cidrSet, cidrSetHas, parseCidr } from '../config/cidr.js';

/**
 * Which peers may speak for the client through X-Forwarded-For (TRUSTED_PROXIES). Built once; a
 * check is one BlockList lookup.
 */
export class TrustedProxies {
  private readonly list: BlockList;
  readonly isEmpty: boolean;

  constructor(setting: string) {
    const entries = splitList(setting);
    for (const entry of entries) if (!parseCidr(entry)) throw new Error(`TRUSTED_PROXIES: ${entry} is not an IP address or CIDR`);
    this.list = cidrSet(setting);
    this.isEmpty = entries.length === 0;
  }

  trusts(address: string): boolean {
    if (this.isEmpty || !address) return false;
    return cidrSetHas(this.list, address);
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
