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
 * (the bind then proves it belongs to this host), an interface name gives its first address of that family.
 * Throws InterfaceError when there is none.
 */
export function localAddressFor(networkInterface: string, family: 4 | 6): string {
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
  // A link-local IPv6 address (non-zero scope) only reaches its own link: no source for a routed target.
  const match = addresses.find((a) => (a.family === 'IPv4' ? family === 4 : family === 6 && a.scopeid === 0));
  if (match === undefined) {
    throw new InterfaceError(
      `network interface "${networkInterface}" has no IPv${family} address (the target is IPv${family})`,
    );
  }
  return match.address;
}
