// How a check result is shown by the API: pure conversions.
import type { CheckResult, TlsDetails } from '../probing/types.js';
import type { CheckResultView, TlsDetailsView } from '../schemas/check.js';

const DAY_MS = 86_400_000;

/**
 * `withTranscript`: for the answer of a check run on demand. Results that are kept (histories, the store, reports
 * to the control plane) leave the dialogue's transcript out: it is up to 64 entries a probe, and only the one who
 * ran the check looks at it.
 */
export function resultView(result: CheckResult, gateway: string, options: { withTranscript?: boolean } = {}): CheckResultView {
  const view: CheckResultView = {
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
    actualIp: result.actualAddress,
    tls: result.tls ? tlsView(result.tls, result.startedAt) : null,
    responseMs: result.responseMs == null ? null : round3(result.responseMs),
  };
  if (options.withTranscript) view.transcript = result.transcript ?? null;
  return view;
}

function tlsView(tls: TlsDetails, checkedAt: number): TlsDetailsView {
  return {
    handshakeMs: round3(tls.handshakeMs),
    protocol: tls.protocol,
    cipher: tls.cipher,
    subject: tls.subject,
    issuer: tls.issuer,
    fingerprintSha256: tls.fingerprintSha256,
    notBefore: new Date(tls.notBefore).toISOString(),
    notAfter: new Date(tls.notAfter).toISOString(),
    chainExpiresAt: new Date(tls.chainExpiresAt).toISOString(),
    expiresInDays: Math.round(((tls.chainExpiresAt - checkedAt) / DAY_MS) * 10) / 10,
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
