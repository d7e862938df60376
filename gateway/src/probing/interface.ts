// Turns a probe server's network interface setting (an interface name or a local IP) into the local address to bind.
import { isIP } from 'node:net';
import os from 'node:os';

/** The setting names no usable local address; the message says why, for the user. */
export class InterfaceError extends Error {
  override name = 'InterfaceError';
}

// os.networkInterfaces() costs tens of microseconds (getifaddrs plus objects); re-reading it once a second
// still follows address changes, and a vanished address fails the bind, which is reported the same way.
const INTERFACES_REFRESH_MS = 1000;
let interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = {};
let interfacesReadAt = Number.NEGATIVE_INFINITY;

function currentInterfaces(): NodeJS.Dict<os.NetworkInterfaceInfo[]> {
  const now = performance.now();
  if (now - interfacesReadAt >= INTERFACES_REFRESH_MS) {
    interfaces = os.networkInterfaces();
    interfacesReadAt = now;
  }
  return interfaces;
}

/**
 * The local address to connect from towards a target of the given family: a local IP is used as given
 * (the bind then proves it belongs to this host), an interface name gives its first address of that family
 * (IPv6: see pickIpv6). `target`, the address to connect to, lets a link-local IPv6 target get a link-local source.
 * Throws InterfaceError when there is none.
 */
export function localAddressFor(networkInterface: string, family: 4 | 6, target?: string): string {
  const literalFamily = isIP(networkInterface);
  if (literalFamily !== 0) {
    if (literalFamily !== family) {
      throw new InterfaceError(
        `local address ${networkInterface} is IPv${literalFamily} but the target address is IPv${family}`,
      );
    }
    return networkInterface;
  }
  const addresses = currentInterfaces()[networkInterface];
  if (addresses === undefined) {
    throw new InterfaceError(`network interface "${networkInterface}" does not exist on this gateway`);
  }
  const linkLocalTarget = family === 6 && target !== undefined && isLinkLocal(target);
  const match = family === 4
    ? addresses.find((a) => a.family === 'IPv4')?.address
    : pickIpv6(networkInterface, addresses, linkLocalTarget);
  if (match === undefined) {
    const kind = linkLocalTarget ? 'link-local IPv6' : `IPv${family}`;
    throw new InterfaceError(
      `network interface "${networkInterface}" has no ${kind} address (the target is ${target ?? `IPv${family}`})`,
    );
  }
  return match;
}

/**
 * The interface's IPv6 source address: for a routed target the first global address, else the first unique local
 * one (fc00::/7); a link-local address (non-zero scope) only reaches its own link, so it is the source only for a
 * link-local target, and then with its scope ("fe80::1%eth0") so the bind finds the interface.
 */
export function pickIpv6(
  name: string,
  addresses: readonly os.NetworkInterfaceInfo[],
  linkLocalTarget: boolean,
): string | undefined {
  let uniqueLocal: string | undefined;
  for (const a of addresses) {
    if (a.family !== 'IPv6') continue;
    const linkLocal = a.scopeid !== 0 || isLinkLocal(a.address);
    if (linkLocalTarget) {
      if (linkLocal) return `${a.address}%${name}`;
      continue;
    }
    if (linkLocal) continue;
    if (!/^f[cd]/i.test(a.address)) return a.address;
    uniqueLocal ??= a.address;
  }
  return uniqueLocal;
}

/** fe80::/10 */
function isLinkLocal(address: string): boolean {
  return /^fe[89ab]/i.test(address);
}
