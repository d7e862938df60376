// The values that cross the probing boundary: what one check needs, and what it reports.

/** Why a check failed; a small fixed set so metrics and alert rules can rely on it. */
export type FailureReason =
  | 'refused'
  | 'timeout'
  | 'dns_error'
  | 'unreachable'
  | 'interface_error'
  | 'error'
  // Deeper checks (tls.ts, dialogue.ts): the port answered, the service behind it did not satisfy the check.
  | 'tls_error'
  | 'cert_expired'
  | 'cert_untrusted'
  | 'cert_name_mismatch'
  | 'unexpected_response';

/** The `result` label of `tcpprobe_checks_total`: success or a failure reason. */
export type CheckOutcome = 'success' | FailureReason;

export const CHECK_OUTCOMES: readonly CheckOutcome[] = [
  'success', 'refused', 'timeout', 'dns_error', 'unreachable', 'interface_error', 'error',
  'tls_error', 'cert_expired', 'cert_untrusted', 'cert_name_mismatch', 'unexpected_response',
];

/** An outcome's place in CHECK_OUTCOMES; one outside the contract (a prober bug) counts as a generic error rather than being lost. */
export function outcomeIndex(outcome: CheckOutcome): number {
  const index = CHECK_OUTCOMES.indexOf(outcome);
  return index === -1 ? CHECK_OUTCOMES.indexOf('error') : index;
}

/**
 * Why a slot was not kept, the `reason` of tcpprobe_scheduler_skipped_total and a probe status's missedSlotReason: the
 * probe's previous check still ran (`overlap`), or still waited for an in-flight slot (`queued`), or the check started
 * late (`late`, see lateAfterMs in scheduler.ts).
 */
export const MISSED_SLOT_REASONS = ['overlap', 'queued', 'late'] as const;
export type MissedSlotReason = (typeof MISSED_SLOT_REASONS)[number];

/** Which address family a probe connects over: auto takes the resolver's first answer (IPv4 first, as before). */
export const IP_VERSIONS = ['auto', '4', '6'] as const;
export type IpVersion = (typeof IP_VERSIONS)[number];

export const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/** A TLS handshake after the connect (or at a dialogue's startTls step). */
export interface TlsSettings {
  /** SNI and the name the certificate must carry; default: the probe's host when it is a name, else no SNI. */
  serverName?: string | null;
  /** Verify the chain and the name (default true); false still records the certificate and its expiry. */
  verify: boolean;
  minVersion?: TlsVersion | null;
}

/** One step of a send/expect dialogue; see dialogue.ts. */
export type DialogueStep =
  | { send: string; encoding?: 'utf8' | 'hex' }
  | { expect: string }
  | { startTls: true };

/** The material of a server's shared account a check may use; PEM text, decrypted only in memory. */
export interface AccountMaterial {
  caBundle: string | null;
  clientCert: string | null;
  clientKey: string | null;
  username: string | null;
  password: string | null;
}

/** What a TLS handshake showed, also on cert_* failures (the certificate was seen, it did not pass). */
export interface TlsDetails {
  handshakeMs: number;
  /** e.g. "TLSv1.3" */
  protocol: string;
  /** e.g. "TLS_AES_256_GCM_SHA384" */
  cipher: string;
  /** Of the leaf certificate, as "CN=example.com, O=Example" */
  subject: string;
  issuer: string;
  /** Of the leaf, lower-case hex without colons */
  fingerprintSha256: string;
  /** Leaf validity, epoch milliseconds */
  notBefore: number;
  notAfter: number;
  /** The earliest notAfter in the chain the target presented, epoch milliseconds */
  chainExpiresAt: number;
}

/** One line of a dialogue's transcript: what was sent, received, or done; `text` printable and truncated. */
export interface TranscriptEntry {
  /** Milliseconds since connected */
  atMs: number;
  direction: 'sent' | 'received' | 'tls';
  text: string;
}

export interface CheckRequest {
  /** DNS name (RFC 1123) or an IPv4/IPv6 literal. */
  host: string;
  port: number;
  /** Budget for DNS plus connect. */
  timeoutMs: number;
  /** Local adapter to connect from: an interface name (its first IPv4, or IPv6 for IPv6 targets) or a local IP. */
  networkInterface?: string | null;
  /** Default auto. */
  ipVersion?: IpVersion;
  /** null or absent: a plain connect check, closed at once. */
  tls?: TlsSettings | null;
  /** null or absent: no dialogue. At most 16 steps (validated before it gets here). */
  dialogue?: DialogueStep[] | null;
  /** The server's shared account, when it has one: CA bundle and client certificate for TLS. */
  account?: AccountMaterial | null;
}

export interface CheckResult {
  outcome: CheckOutcome;
  /** Error text for a failed check (the system's message, e.g. "connect ECONNREFUSED 127.0.0.1:9"). */
  error: string | null;
  /** Wall-clock start of the check, epoch milliseconds. */
  startedAt: number;
  /** Name resolution time; null when the host is an IP literal or resolution never finished. */
  dnsMs: number | null;
  /**
   * How long the connection took to establish: the kernel's SYN to SYN-ACK time where it has one (see
   * kernel-timing.ts), else the monotonic clock from the connect call to the established connection; null unless
   * connected.
   */
  connectMs: number | null;
  /** The name finally connected to, after following CNAMEs; the host itself when no CNAME. */
  actualHost: string | null;
  /** The IPv4 address used; null for an IPv6 connection or when resolution failed. */
  actualIpv4: string | null;
  /** The address actually used (IPv4 or IPv6). */
  actualAddress: string | null;
  /** Deeper checks only (absent on a plain check, which keeps its result small): the handshake, when one completed. */
  tls?: TlsDetails | null;
  /** Deeper checks only: time from connected to the last expect matched; null if none matched or none was asked. */
  responseMs?: number | null;
  /** Deeper checks only: the dialogue as it went, at most 64 entries. */
  transcript?: TranscriptEntry[] | null;
}
