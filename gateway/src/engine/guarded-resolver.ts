// Enforces GATEWAY_ALLOWED_TARGETS on what a name resolves to, so DNS cannot point a probe into a forbidden network.
import type { TargetAllowlist } from '../domain/targets.js';
import type { Resolver } from '../probing/resolve.js';

export class TargetNotAllowedError extends Error {
  override name = 'TargetNotAllowedError';
}

export function guardedResolver(resolver: Resolver, allowlist: TargetAllowlist): Resolver {
  return {
    // An IP literal or a name matching a pattern is judged before resolving, a name left to its addresses after (an
    // IPv4-mapped IPv6 address, literal or resolved, as the IPv4 it carries: see parseAllowlist).
    async resolve(host, timeoutMs, ipVersion) {
      const verdict = allowlist.verdict(host);
      if (verdict === 'denied') throw new TargetNotAllowedError(`${host} is outside GATEWAY_ALLOWED_TARGETS`);
      const resolution = await resolver.resolve(host, timeoutMs, ipVersion);
      if (verdict === 'check-addresses' && !allowlist.allowsAddress(resolution.address)) {
        throw new TargetNotAllowedError(`${host} resolves to ${resolution.address}, outside GATEWAY_ALLOWED_TARGETS`);
      }
      return resolution;
    },
  };
}
