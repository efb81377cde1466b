/**
 * IPv4/IPv6 addresses and CIDR blocks for the `IpAddress` / `NotIpAddress` condition operators
 * (a value without a prefix length means a single address: /32 or /128).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress
 */

export interface IpValue {
  readonly version: 4 | 6;
  readonly value: bigint;
}

export interface CidrBlock {
  readonly version: 4 | 6;
  readonly network: bigint;
  readonly prefix: number;
  /** Network mask for `prefix`, computed once so that membership tests allocate nothing new. */
  readonly mask: bigint;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  let head = text;
  const groups: number[] = [];
  // An embedded IPv4 tail (`::ffff:192.0.2.1`) counts as two groups.
  const lastColon = head.lastIndexOf(':');
  const tail = head.slice(lastColon + 1);
  let v4Tail: bigint | undefined;
  if (tail.includes('.')) {
    v4Tail = parseIpv4(tail);
    if (v4Tail === undefined) return undefined;
    head = `${head.slice(0, lastColon + 1)}0:0`;
  }
  const doubleColon = head.split('::');
  if (doubleColon.length > 2) return undefined;
  const parseGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const left = parseGroups(doubleColon[0] ?? '');
  const right = doubleColon.length === 2 ? parseGroups(doubleColon[1] ?? '') : [];
  if (left === undefined || right === undefined) return undefined;
  if (doubleColon.length === 2) {
    const fill = 8 - left.length - right.length;
    if (fill < 1) return undefined;
    groups.push(...left, ...new Array<number>(fill).fill(0), ...right);
  } else {
    groups.push(...left);
  }
  if (groups.length !== 8) return undefined;
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  if (v4Tail !== undefined) value = (value & ~0xffffffffn) | v4Tail;
  return value;
}

export function parseIp(text: string): IpValue | undefined {
  const trimmed = text.trim();
  if (trimmed.includes(':')) {
    const value = parseIpv6(trimmed);
    return value === undefined ? undefined : { version: 6, value };
  }
  const value = parseIpv4(trimmed);
  return value === undefined ? undefined : { version: 4, value };
}

export function parseCidr(text: string): CidrBlock | undefined {
  const [addr = '', prefixText, ...rest] = text.trim().split('/');
  if (rest.length > 0) return undefined;
  const ip = parseIp(addr);
  if (ip === undefined) return undefined;
  const bits = ip.version === 4 ? 32 : 128;
  let prefix = bits;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText)) return undefined;
    prefix = Number(prefixText);
    if (prefix > bits) return undefined;
  }
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
  return { version: ip.version, network: ip.value & mask, prefix, mask };
}

export function cidrContains(block: CidrBlock, ip: IpValue): boolean {
  if (block.version !== ip.version) return false;
  return (ip.value & block.mask) === block.network;
}
