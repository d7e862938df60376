// The values that cross the probing boundary: what one check needs, and what it reports.

/** Why a check failed; a small fixed set so metrics and alert rules can rely on it. */
export type FailureReason = 'refused' | 'timeout' | 'dns_error' | 'unreachable' | 'interface_error' | 'error';

/** The `result` label of `tcpprobe_checks_total`: success or a failure reason. */
export type CheckOutcome = 'success' | FailureReason;

export const CHECK_OUTCOMES: readonly CheckOutcome[] = [
  'success', 'refused', 'timeout', 'dns_error', 'unreachable', 'interface_error', 'error',
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

export interface CheckRequest {
  /** DNS name (RFC 1123) or an IPv4/IPv6 literal. */
  host: string;
  port: number;
  /** Budget for DNS plus connect. */
  timeoutMs: number;
  /** Local adapter to connect from: an interface name (its first IPv4, or IPv6 for IPv6 targets) or a local IP. */
  networkInterface?: string | null;
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
}
