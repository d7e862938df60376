// How a check result is shown by the API and kept: pure conversions and a bounded history.
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

/**
 * The most recent results of one probe, newest first, at most `capacity`. Raw results are kept and turned into
 * views only when read: at 50,000 probes every byte held per result counts.
 */
export class ResultHistory {
  private readonly items: CheckResult[] = [];

  constructor(private readonly capacity: number) {}

  add(result: CheckResult): void {
    this.items.unshift(result);
    if (this.items.length > this.capacity) this.items.pop();
  }

  get latest(): CheckResult | null {
    return this.items[0] ?? null;
  }

  list(limit = this.capacity): CheckResult[] {
    return this.items.slice(0, limit);
  }
}
