// For page tests against the test gateway (time zone UTC): a daily window that is closed now and opens in 2 hours.

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/** Opens 2 h 1 min from now (to the minute, so in 2 h to 2 h 1 min) and closes an hour later. */
export function windowOpeningIn2h(nowMs = Date.now()): { windowBegin: string; windowEnd: string } {
  const opensAt = nowMs + (2 * 60 + 1) * 60_000;
  return { windowBegin: hhmm(opensAt), windowEnd: hhmm(opensAt + 3_600_000) };
}

/** What the pages say of it: "in 2 h" or, a minute's rounding later, "in 2 h 1 min". */
export const OPENS_IN_2H = /opens at \d\d:\d\d \(in 2 h( 1 min)?\)/;
