// Why a probe is in its state, in words a user understands: from /status's state, reason, nextCheckAt, windowOpensAt
// and timeliness (a late or skipped slot), and the moment it is read. Pure: the clock and the time zone come in as arguments.
import { dateTimeFormat } from '@grafana/data';
import type { CheckResult, Probe, ProbeStatus } from '../../api/types';
import { STATE_LABELS, formatSpan } from '../CheckResult/format';

export type StatusReason = NonNullable<ProbeStatus['reason']>;

export type StatusFacts = Pick<ProbeStatus, 'state' | 'reason' | 'nextCheckAt' | 'windowOpensAt' | 'timeliness' | 'missedSlotAt' | 'missedSlotReason'> & {
  /** When the latest check started (its result's checkedAt), null without one: how late a late check was. */
  lastCheckedAt: string | null;
};

/** A probe as /status lists it, down to what its state's words need. */
export type ListedStatus = Omit<StatusFacts, 'lastCheckedAt'> & { lastResult: Pick<CheckResult, 'checkedAt'> | null };

export interface StateExplanation {
  /** The badge's word: "Up", "Down", "No data", "Not checked yet", "Disabled"; "Up, late", "Down, skipped". */
  headline: string;
  /** What follows it, '' when the headline says it all: "outside its window, opens at 08:00 (in 3 h)". */
  detail: string;
}

/** The facts of a probe as /status gives them, or of one it does not list (just created, or /status failed). */
export function statusFacts(probe: Pick<Probe, 'enabled'>, listed: ListedStatus | undefined): StatusFacts {
  if (listed) {
    return {
      state: listed.state,
      reason: listed.reason,
      nextCheckAt: listed.nextCheckAt,
      windowOpensAt: listed.windowOpensAt,
      // A gateway older than issue 15 leaves them out: no word on timeliness then.
      timeliness: listed.timeliness ?? null,
      missedSlotAt: listed.missedSlotAt ?? null,
      missedSlotReason: listed.missedSlotReason ?? null,
      lastCheckedAt: listed.lastResult?.checkedAt ?? null,
    };
  }
  return {
    state: probe.enabled ? 'nodata' : 'disabled',
    reason: probe.enabled ? null : 'disabled',
    nextCheckAt: null,
    windowOpensAt: null,
    timeliness: null,
    missedSlotAt: null,
    missedSlotReason: null,
    lastCheckedAt: null,
  };
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
  return momentWithDay(at, nowMs, 'HH:mm', timeZone);
}

/** A slot to the second, as checks of short intervals need: "14:03:05" today, "Mon 23:59:58" on another day. */
export function formatSlot(at: string, nowMs: number, timeZone?: string): string {
  return momentWithDay(at, nowMs, 'HH:mm:ss', timeZone);
}

function momentWithDay(at: string, nowMs: number, clock: string, timeZone?: string): string {
  const day = (input: string | number) => dateTimeFormat(input, { format: 'YYYY-MM-DD', timeZone });
  const ahead = Date.parse(at) - nowMs;
  const format = day(at) === day(nowMs) ? clock : ahead < 6 * 86_400_000 ? `ddd ${clock}` : `D MMM ${clock}`;
  return dateTimeFormat(at, { format, timeZone });
}

/** How late a check started: "3.2 s" (lateness starts at a second), "7 min" for long intervals. */
export function formatLateness(ms: number): string {
  const seconds = ms / 1000;
  return seconds < 60 ? `${seconds.toFixed(1)} s` : formatSpan(seconds);
}

/** "in 4 s", or "now" once the moment has come (the gateway runs it, or is about to). */
export function formatDue(at: string, nowMs: number): string {
  const seconds = (Date.parse(at) - nowMs) / 1000;
  return seconds <= 0 ? 'now' : `in ${formatSpan(seconds)}`;
}

/**
 * The due time of the slot the words are about when the gateway skipped the probe's latest slot or started it late
 * (its result then is older, or later, than its interval promises); else null. A reason for no state (disabled,
 * outside its window, gateway offline) says more and wins; a probe not checked yet still says it was skipped.
 */
export function shownMissedSlot(status: StatusFacts): string | null {
  const missed = status.timeliness === 'late' || status.timeliness === 'skipped';
  return missed && (!status.reason || status.reason === 'not_checked_yet') ? status.missedSlotAt : null;
}

/** Why the slot before a skipped one still held the probe, as the end of "the check due at … did not run because …". */
function skipCause(reason: ProbeStatus['missedSlotReason']): string {
  if (reason === 'overlap') return 'the previous check was still running';
  if (reason === 'queued') return 'the previous one was still waiting for a free check slot; the gateway is busy';
  return 'the gateway is busy';
}

function explainMissedSlot(status: StatusFacts, missedSlotAt: string, nowMs: number, timeZone?: string): StateExplanation {
  const result = status.state === 'up' || status.state === 'down' ? STATE_LABELS[status.state] : 'Not checked yet';
  const slot = formatSlot(missedSlotAt, nowMs, timeZone);
  if (status.timeliness === 'skipped') {
    return { headline: `${result}, skipped`, detail: `the check due at ${slot} did not run because ${skipCause(status.missedSlotReason)}` };
  }
  // The late check's own result carries when it started; until it is in, the latest result is an older one.
  const lateMs = status.lastCheckedAt === null ? NaN : Date.parse(status.lastCheckedAt) - Date.parse(missedSlotAt);
  return {
    headline: `${result}, late`,
    detail:
      lateMs >= 0
        ? `the last check started ${formatLateness(lateMs)} after it was due (at ${slot}); the gateway is busy`
        : `the check due at ${slot} started late and has no result yet; the gateway is busy`,
  };
}

export function explainState(status: StatusFacts, nowMs: number, timeZone?: string): StateExplanation {
  const missedSlotAt = shownMissedSlot(status);
  if (missedSlotAt !== null) return explainMissedSlot(status, missedSlotAt, nowMs, timeZone);
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
