// Durations as thresholds, Prometheus and Grafana write them ("90s", "1h30m"), to and from milliseconds.

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
type Unit = keyof typeof UNIT_MS;

/** Largest unit first, so a formatted duration is the shortest spelling; days and weeks stay hours for readability. */
const FORMAT_UNITS: Unit[] = ['h', 'm', 's', 'ms'];

/** "1h30m" -> 5400000. Throws on text the threshold schema would have refused. */
export function parseDurationMs(text: string): number {
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d|w)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw new Error(`"${text}" is not a duration such as 30s, 5m or 1h30m`);
  return parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * UNIT_MS[unit as Unit], 0);
}

/** 5400000 -> "1h30m"; 0 -> "0s". Both Prometheus and Grafana read the result. */
export function formatDuration(ms: number): string {
  let rest = Math.max(0, Math.round(ms));
  let text = '';
  for (const unit of FORMAT_UNITS) {
    const amount = Math.floor(rest / UNIT_MS[unit]);
    if (amount > 0) text += `${amount}${unit}`;
    rest -= amount * UNIT_MS[unit];
  }
  return text === '' ? '0s' : text;
}
