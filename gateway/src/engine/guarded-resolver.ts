// Enforces GATEWAY_ALLOWED_TARGETS on what a name resolves to, so DNS cannot point a probe into a forbidden network.
import type { TargetAllowlist } from '../domain/targets.js';
import type { Resolver } from '../probing/resolve.js';

export class TargetNotAllowedError extends Error {
  override name = 'TargetNotAllowedError';
}

export function guardedResolver(resolver: Resolver, allowlist: TargetAllowlist): Resolver {
  return {
    async resolve(host, timeoutMs) {
      const verdict = allowlist.verdict(host);
      if (verdict === 'denied') throw new TargetNotAllowedError(`${host} is outside GATEWAY_ALLOWED_TARGETS`);
      const resolution = await resolver.resolve(host, timeoutMs);
      if (verdict === 'check-addresses' && !allowlist.allowsAddress(resolution.address)) {
        throw new TargetNotAllowedError(`${host} resolves to ${resolution.address}, outside GATEWAY_ALLOWED_TARGETS`);
      }
      return resolution;
    },
  };
}
