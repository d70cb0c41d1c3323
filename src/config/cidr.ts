import { BlockList, isIP, isIPv4, isIPv6 } from 'node:net';
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

/** Why a CIDR (or a bare address) is not one, or undefined when it is. */
export function cidrProblem(value: string): string | undefined {
  const [address, bits, extra] = value.split('/');
  if (extra !== undefined) return `"${value}" is not a CIDR`;
  const v4 = isIPv4(address);
  if (!v4 && !isIPv6(address)) return `"${value}" does not start with an IP address`;
  if (bits === undefined) return undefined;
  const prefix = /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= (v4 ? 32 : 128))) return `"${value}" has a prefix length outside 0–${v4 ? 32 : 128}`;
  return undefined;
}

/** A set of CIDRs to test addresses against (node:net's BlockList does the matching); entries are validated at boot. */
export function cidrSet(list: string): BlockList {
  const set = new BlockList();
  for (const entry of splitList(list)) {
    const cidr = parseCidr(entry);
    if (cidr) set.addSubnet(cidr.address, cidr.prefix, cidr.family);
  }
  return set;
}

export function cidrSetHas(set: BlockList, address: string): boolean {
  return set.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');
}
