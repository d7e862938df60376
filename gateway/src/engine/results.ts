// How a check result is shown by the API: pure conversions.
import type { CheckResult } from '../probing/types.js';
import type { CheckResultView } from '../schemas/check.js';

export function resultView(result: CheckResult, gateway: string): CheckResultView {
  return {
    outcome: result.outcome,
    available: result.outcome === 'success',
    error: result.error,
    checkedAt: new Date(result.startedAt).toISOString(),
    dnsMs: result.dnsMs === null ? null : round3(result.dnsMs),
    connectMs: result.connectMs === null ? null : round3(result.connectMs),
    actualHost: result.actualHost,
    actualIpv4: result.actualIpv4,
    actualAddress: result.actualAddress,
    gateway,
  };
}

/** Microsecond precision is all a TCP handshake time can honestly claim. */
function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** `host:port`, with brackets around an IPv6 literal, as the `target` label and the UI write it. */
export function targetOf(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
