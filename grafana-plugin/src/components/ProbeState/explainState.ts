// Why a probe is in its state, in words a user understands: from /status's state, reason, nextCheckAt and
// windowOpensAt, and the moment it is read. Pure: the clock and the time zone come in as arguments.
import { dateTimeFormat } from '@grafana/data';
import type { Probe, ProbeStatus } from '../../api/types';
import { STATE_LABELS, formatSpan } from '../CheckResult/format';

export type StatusReason = NonNullable<ProbeStatus['reason']>;

export type StatusFacts = Pick<ProbeStatus, 'state' | 'reason' | 'nextCheckAt' | 'windowOpensAt'>;

export interface StateExplanation {
  /** The badge's word: "Up", "Down", "No data", "Not checked yet", "Disabled". */
  headline: string;
  /** What follows it, '' when the headline says it all: "outside its window, opens at 08:00 (in 3 h)". */
  detail: string;
}

/** The facts of a probe as /status gives them, or of one it does not list (just created, or /status failed). */
export function statusFacts(probe: Pick<Probe, 'enabled'>, listed: StatusFacts | undefined): StatusFacts {
  if (listed) return { state: listed.state, reason: listed.reason, nextCheckAt: listed.nextCheckAt, windowOpensAt: listed.windowOpensAt };
  return { state: probe.enabled ? 'nodata' : 'disabled', reason: probe.enabled ? null : 'disabled', nextCheckAt: null, windowOpensAt: null };
}

/** A few words per reason where space is short (a badge in the servers list, a chart's empty state). */
export const REASON_LABELS: Record<StatusReason, string> = {
  disabled: 'disabled',
  server_disabled: 'server disabled',
  outside_window: 'outside window',
  not_checked_yet: 'not checked yet',
  gateway_offline: 'gateway offline',
};

/** When a moment is, from `nowMs`: "08:00" today, "Tue 08:00" within a week, "13 Jan 08:00" later. */
export function formatMoment(at: string, nowMs: number, timeZone?: string): string {
  const day = (input: string | number) => dateTimeFormat(input, { format: 'YYYY-MM-DD', timeZone });
  const ahead = Date.parse(at) - nowMs;
  const format = day(at) === day(nowMs) ? 'HH:mm' : ahead < 6 * 86_400_000 ? 'ddd HH:mm' : 'D MMM HH:mm';
  return dateTimeFormat(at, { format, timeZone });
}

/** "in 4 s", or "now" once the moment has come (the gateway runs it, or is about to). */
export function formatDue(at: string, nowMs: number): string {
  const seconds = (Date.parse(at) - nowMs) / 1000;
  return seconds <= 0 ? 'now' : `in ${formatSpan(seconds)}`;
}

export function explainState(status: StatusFacts, nowMs: number, timeZone?: string): StateExplanation {
  switch (status.reason) {
    case 'disabled':
      return { headline: 'Disabled', detail: 'the probe does not run' };
    case 'server_disabled':
      return { headline: 'Disabled', detail: 'its server is disabled, so none of its probes run' };
    case 'outside_window':
      return {
        headline: 'No data',
        detail: status.windowOpensAt
          ? `outside its window, opens at ${formatMoment(status.windowOpensAt, nowMs, timeZone)} (${formatDue(status.windowOpensAt, nowMs)})`
          : 'outside its window, which does not open within a year',
      };
    case 'not_checked_yet':
      return {
        headline: 'Not checked yet',
        detail: status.nextCheckAt ? `first check due ${formatDue(status.nextCheckAt, nowMs)}` : '',
      };
    case 'gateway_offline':
      return { headline: 'No data', detail: 'its gateway is offline, so no results arrive' };
    case null:
    case undefined:
      // up and down carry no reason; a gateway older than the reason field leaves no data unexplained.
      return { headline: STATE_LABELS[status.state], detail: status.state === 'nodata' ? 'outside its window or not checked yet' : '' };
  }
}

/** The explanation as one line: "No data: outside its window, opens at 08:00 (in 3 h)". */
export function stateSentence(explanation: StateExplanation): string {
  return explanation.detail ? `${explanation.headline}: ${explanation.detail}` : explanation.headline;
}

/** The probe page's "Next check": "in 4 s (10:02)", "now", or "none scheduled" (disabled, or no window ahead). */
export function nextCheckText(nextCheckAt: string | null, nowMs: number, timeZone?: string): string {
  if (!nextCheckAt) return 'none scheduled';
  const due = formatDue(nextCheckAt, nowMs);
  return due === 'now' ? due : `${due} (${formatMoment(nextCheckAt, nowMs, timeZone)})`;
}

/**
 * What a chart from Prometheus says when the range holds no sample. With a gateway result (up or down) the gap is
 * Prometheus's: it has not scraped the result yet. Without one, the gateway's reason, without times that would age
 * in a panel that is not redrawn.
 */
export function noSampleText(status: Pick<ProbeStatus, 'state' | 'reason'>): string {
  if (status.state === 'up' || status.state === 'down') return 'No scrape yet: the gateway has a result, Prometheus has no sample of it in this range';
  if (status.reason === 'not_checked_yet') return 'Not checked yet';
  if (status.reason === 'disabled') return 'Disabled';
  if (status.reason === 'server_disabled') return 'Disabled: server disabled';
  return status.reason ? `No data: ${REASON_LABELS[status.reason]}` : 'No data';
}
