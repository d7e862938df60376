// Which hosts a probe may target: host syntax (RFC 1123 or IP literal) and the GATEWAY_ALLOWED_TARGETS allowlist.
import { BlockList, isIP, SocketAddress } from 'node:net';

const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** A DNS name per RFC 1123 (letters, digits, hyphens; labels 1-63; at most 253) or an IPv4/IPv6 literal. */
export function isValidHost(host: string): boolean {
  if (isIP(host) !== 0) return true;
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  // An all-numeric last label would make "1.2.3.999" look like a name; RFC 1123 section 2.1 rules it out.
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return false;
  return labels.every((label) => LABEL.test(label));
}

export type TargetVerdict =
  /** Allowed without looking further. */
  | 'allowed'
  /** A name that matches no pattern: allowed only if every address it resolves to is inside an allowed CIDR. */
  | 'check-addresses'
  | 'denied';

export interface TargetAllowlist {
  /** The setting as given, for messages. */
  readonly spec: string;
  verdict(host: string): TargetVerdict;
  allowsAddress(address: string): boolean;
}

/**
 * Parses "10.0.0.0/8, 192.168.1.5, ::1/128, *.example.com, db-??.corp" (comma or space separated).
 * An empty setting allows every target. `*` in a host pattern matches any run of characters, `?` one.
 * An IPv4-mapped IPv6 address (::ffff:10.1.2.3, ::ffff:a01:203) is judged as the IPv4 address it carries, as target
 * and as entry (::ffff:10.0.0.0/104 is 10.0.0.0/8); IPv6 entries apply to other IPv6 addresses only, so ::/0 does not
 * open IPv4 through the mapped forms.
 */
export function parseAllowlist(spec: string | undefined): TargetAllowlist {
  const entries = (spec ?? '').split(/[\s,]+/).filter(Boolean);
  // Two lists: Node's BlockList matches an IPv4 address against IPv6 subnets that contain its mapped form.
  const ipv4Blocks = new BlockList();
  const ipv6Blocks = new BlockList();
  let cidrCount = 0;
  const patterns: RegExp[] = [];
  for (const entry of entries) {
    const [address, prefixText, ...rest] = entry.split('/');
    const family = isIP(address ?? '');
    if (family !== 0) {
      // Only plain digits: Number('') is 0, so "10.0.0.0/" would otherwise allow every address.
      const prefix = prefixText === undefined ? (family === 4 ? 32 : 128) : /^[0-9]{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
      if (rest.length > 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
        throw new Error(`GATEWAY_ALLOWED_TARGETS: "${entry}" has an invalid prefix length`);
      }
      const mapped = family === 6 && prefix >= 96 ? mappedIpv4(address!) : null;
      if (family === 4) ipv4Blocks.addSubnet(address!, prefix, 'ipv4');
      else if (mapped !== null) ipv4Blocks.addSubnet(mapped, prefix - 96, 'ipv4');
      else ipv6Blocks.addSubnet(address!, prefix, 'ipv6');
      cidrCount++;
    } else if (/^[A-Za-z0-9*?.-]+$/.test(entry) && prefixText === undefined) {
      const source = entry.replace(/[.]/g, '\\.').replace(/\*/g, '.*').replace(/\?/g, '.');
      patterns.push(new RegExp(`^${source}\\.?$`, 'i'));
    } else {
      throw new Error(`GATEWAY_ALLOWED_TARGETS: "${entry}" is neither a CIDR, an IP address nor a host pattern`);
    }
  }
  const allowsEverything = entries.length === 0;
  const allowsAddress = (address: string): boolean => {
    if (allowsEverything) return true;
    const family = isIP(address);
    if (family === 4) return ipv4Blocks.check(address, 'ipv4');
    if (family !== 6) return false;
    const mapped = mappedIpv4(address);
    return mapped !== null ? ipv4Blocks.check(mapped, 'ipv4') : ipv6Blocks.check(address, 'ipv6');
  };
  return {
    spec: entries.join(','),
    allowsAddress,
    verdict(host) {
      if (allowsEverything) return 'allowed';
      if (isIP(host) !== 0) return allowsAddress(host) ? 'allowed' : 'denied';
      if (patterns.some((pattern) => pattern.test(host))) return 'allowed';
      return cidrCount > 0 ? 'check-addresses' : 'denied';
    },
  };
}

/**
 * The IPv4 address an IPv4-mapped IPv6 address (::ffff:0:0/96) carries, in any spelling ("::ffff:10.1.2.3",
 * "::FFFF:a01:203", "0:0:0:0:0:ffff:0a01:0203"); null for any other IPv6 address. Only addresses that spell
 * "ffff" somewhere are parsed (SocketAddress prints the canonical form, which for these is "::ffff:a.b.c.d").
 */
export function mappedIpv4(address: string): string | null {
  if (!/ffff/i.test(address)) return null;
  let canonical: string;
  try {
    canonical = new SocketAddress({ address, family: 'ipv6' }).address;
  } catch {
    return null;
  }
  if (!canonical.startsWith('::ffff:')) return null;
  const ipv4 = canonical.slice('::ffff:'.length);
  return isIP(ipv4) === 4 ? ipv4 : null;
}
