// Which hosts a probe may target: host syntax (RFC 1123 or IP literal) and the GATEWAY_ALLOWED_TARGETS allowlist.
import { BlockList, isIP } from 'node:net';

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
 */
export function parseAllowlist(spec: string | undefined): TargetAllowlist {
  const entries = (spec ?? '').split(/[\s,]+/).filter(Boolean);
  const blocks = new BlockList();
  let cidrCount = 0;
  const patterns: RegExp[] = [];
  for (const entry of entries) {
    const [address, prefixText, ...rest] = entry.split('/');
    const family = isIP(address ?? '');
    if (family !== 0) {
      const type = family === 4 ? 'ipv4' : 'ipv6';
      // Only plain digits: Number('') is 0, so "10.0.0.0/" would otherwise allow every address.
      const prefix = prefixText === undefined ? (family === 4 ? 32 : 128) : /^[0-9]{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
      if (rest.length > 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
        throw new Error(`GATEWAY_ALLOWED_TARGETS: "${entry}" has an invalid prefix length`);
      }
      blocks.addSubnet(address!, prefix, type);
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
    return family !== 0 && blocks.check(address, family === 4 ? 'ipv4' : 'ipv6');
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
