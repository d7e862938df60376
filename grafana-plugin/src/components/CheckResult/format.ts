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
