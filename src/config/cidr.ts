import { BlockList, isIPv4, isIPv6 } from 'node:net';

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

/** A set of CIDRs to test addresses against (node:net's BlockList does the matching). */
export function cidrSet(list: string): BlockList {
  const set = new BlockList();
  for (const entry of list.split(',').map((c) => c.trim()).filter(Boolean)) {
    const [address, bits] = entry.split('/');
    const type = isIPv4(address) ? 'ipv4' : 'ipv6';
    set.addSubnet(address, bits === undefined ? (type === 'ipv4' ? 32 : 128) : Number(bits), type);
  }
  return set;
}

export function cidrSetHas(set: BlockList, address: string): boolean {
  return set.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');
}
