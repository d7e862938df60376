// Words and numbers for check results, probe states and intervals, the same on every page. Pure.
import type { CheckResult, ProbeState } from '../../api/types';

export const OUTCOME_LABELS: Record<CheckResult['outcome'], string> = {
  success: 'Connected',
  refused: 'Connection refused',
  timeout: 'Timed out',
  dns_error: 'DNS lookup failed',
  unreachable: 'Network unreachable',
  interface_error: 'Network interface unusable',
  error: 'Failed',
  tls_error: 'TLS handshake failed',
  cert_expired: 'Certificate expired',
  cert_untrusted: 'Certificate not trusted',
  cert_name_mismatch: 'Certificate name mismatch',
  unexpected_response: 'Unexpected response',
};

export const STATE_LABELS: Record<ProbeState, string> = {
  up: 'Up',
  down: 'Down',
  nodata: 'No data',
  disabled: 'Disabled',
};

/** Milliseconds with the precision a connect time deserves: 0.42 ms, 12.3 ms, 1520 ms; a dash when unknown. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '–';
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

/** 45 s, 5 min, 1 h, 1 h 30 min, 90 s stays 90 s (not a whole minute). */
export function formatInterval(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 3600 && seconds % 60 === 0) return `${Math.floor(seconds / 3600)} h ${(seconds % 3600) / 60} min`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/**
 * A span to come or gone by, as a person says it: 4 s, 3 min, 2 h 30 min, 2 d 5 h. Seconds round up (a check due in
 * 0.2 s is due in 1 s, not in 0 s); minutes and hours round to the nearest, so 2 h 59 min 50 s reads 3 h.
 */
export function formatSpan(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.ceil(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60) return minutes % 60 === 0 ? `${minutes / 60} h` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  const hours = Math.round(minutes / 60);
  return hours % 24 === 0 ? `${hours / 24} d` : `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** Why a check failed, in one line: the outcome in words, with the system's message when there is one. */
export function failureReason(result: Pick<CheckResult, 'outcome' | 'error'> | null | undefined): string {
  if (!result || result.outcome === 'success') return '';
  return result.error ? `${OUTCOME_LABELS[result.outcome]}: ${result.error}` : OUTCOME_LABELS[result.outcome];
}

/** "22:00–06:00 (overnight)" for a daily window that wraps past midnight; '' without a window. */
export function formatWindow(begin: string | null, end: string | null): string {
  if (!begin || !end) return '';
  return begin > end ? `${begin}–${end} (overnight)` : `${begin}–${end}`;
}

/** A certificate's time left in days (one decimal, as the gateway gives it): "in 12.5 days", "expired 3 days ago". */
export function expiryInWords(expiresInDays: number): string {
  const days = (value: number) => `${Number.isInteger(value) ? value : value.toFixed(1)} ${value === 1 ? 'day' : 'days'}`;
  const rounded = Math.round(expiresInDays * 10) / 10;
  if (rounded < 0) return `expired ${days(-rounded)} ago`;
  return `in ${days(rounded)}`;
}

/** Days from `nowMs` to `expiresAtMs`, one decimal: what the gateway's expiresInDays says, from the expiry metric. */
export function daysUntil(expiresAtMs: number, nowMs: number): number {
  return Math.round((expiresAtMs - nowMs) / 8_640_000) / 10;
}
