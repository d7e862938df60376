// Reads the few gateway series a bench needs out of Prometheus text: checks by result and the scheduler lag histogram.

export interface Histogram {
  /** Upper bound in seconds -> cumulative count. */
  buckets: Map<number, number>;
  count: number;
  sum: number;
}

/** Sums tcpprobe_checks_total over all probes, by result. */
export function checksByResult(text: string): Record<string, number> {
  const totals: Record<string, number> = {};
  const pattern = /^tcpprobe_checks_total\{[^}]*result="([a-z_]+)"[^}]*\} (\S+)$/gm;
  for (const match of text.matchAll(pattern)) totals[match[1]!] = (totals[match[1]!] ?? 0) + Number(match[2]);
  return totals;
}

export function totalChecks(text: string): number {
  return Object.values(checksByResult(text)).reduce((a, b) => a + b, 0);
}

/** The single-series histogram `name` (e.g. tcpprobe_scheduler_lag_seconds). */
export function histogramOf(text: string, name: string): Histogram {
  const buckets = new Map<number, number>();
  for (const match of text.matchAll(new RegExp(`^${name}_bucket\\{[^}]*le="([^"]+)"[^}]*\\} (\\S+)$`, 'gm'))) {
    buckets.set(match[1] === '+Inf' ? Infinity : Number(match[1]), Number(match[2]));
  }
  const value = (suffix: string) => Number(new RegExp(`^${name}_${suffix}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { buckets, count: value('count'), sum: value('sum') };
}

/** The difference of two scrapes of one cumulative histogram: what happened between them. */
export function histogramDelta(after: Histogram, before: Histogram): Histogram {
  const buckets = new Map<number, number>();
  for (const [le, n] of after.buckets) buckets.set(le, n - (before.buckets.get(le) ?? 0));
  return { buckets, count: after.count - before.count, sum: after.sum - before.sum };
}

/**
 * The bounds a quantile lies between, from bucket counts alone: (lower bucket bound, upper bucket bound]. Prometheus's
 * histogram_quantile would interpolate linearly inside that range, which is a guess; the range is what is known.
 */
export function quantileBounds(histogram: Histogram, q: number): [number, number] {
  const rank = q * histogram.count;
  let lower = 0;
  for (const [le, cumulative] of [...histogram.buckets].sort((a, b) => a[0] - b[0])) {
    if (cumulative >= rank) return [lower, le];
    lower = le;
  }
  return [lower, Infinity];
}
