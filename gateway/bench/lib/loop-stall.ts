// Measures event-loop stalls inside this process: perf_hooks' delay histogram, a 1 ms interval timer's longest gap, GC pauses.
import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';

export interface StallReport {
  /** Longest gap between two ticks of a 1 ms interval timer, minus the 1 ms: how long the loop was blocked at most. */
  maxGapMs: number;
  /** Gaps of the 1 ms timer over 50 ms. */
  gapsOver50Ms: number;
  /** monitorEventLoopDelay (1 ms resolution): max and p99 of the delay, in ms. */
  delayMaxMs: number;
  delayP99Ms: number;
  /** Garbage-collection pauses in the window: the longest, and their sum (ms). */
  gcMaxMs: number;
  gcTotalMs: number;
  /** Each gap of 40 ms or more: when it ended (process.hrtime, µs: the clock of CPU profiles) and how long it was. */
  stalls: { endUs: number; ms: number }[];
}

export class LoopMonitor {
  private histogram: IntervalHistogram | null = null;
  private timer: NodeJS.Timeout | null = null;
  private last = 0;
  private maxGap = 0;
  private over50 = 0;
  private stalls: StallReport['stalls'] = [];
  private gcMax = 0;
  private gcTotal = 0;
  private readonly gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      this.gcMax = Math.max(this.gcMax, entry.duration);
      this.gcTotal += entry.duration;
    }
  });

  start(): void {
    this.gcMax = 0;
    this.gcTotal = 0;
    this.gcObserver.observe({ entryTypes: ['gc'] });
    this.histogram = monitorEventLoopDelay({ resolution: 1 });
    this.histogram.enable();
    this.last = performance.now();
    this.maxGap = 0;
    this.over50 = 0;
    this.stalls = [];
    this.timer = setInterval(() => {
      const now = performance.now();
      const gap = now - this.last - 1;
      this.last = now;
      if (gap > this.maxGap) this.maxGap = gap;
      if (gap > 50) this.over50++;
      if (gap >= 40 && this.stalls.length < 10_000) this.stalls.push({ endUs: Number(process.hrtime.bigint() / 1000n), ms: gap });
    }, 1);
  }

  stop(): StallReport {
    if (this.timer) clearInterval(this.timer);
    this.gcObserver.disconnect();
    // The gap still open when stopping counts too.
    const openGap = performance.now() - this.last - 1;
    const histogram = this.histogram!;
    histogram.disable();
    return {
      maxGapMs: Math.max(this.maxGap, openGap),
      gapsOver50Ms: this.over50 + (openGap > 50 ? 1 : 0),
      delayMaxMs: histogram.max / 1e6,
      delayP99Ms: histogram.percentile(99) / 1e6,
      gcMaxMs: this.gcMax,
      gcTotalMs: this.gcTotal,
      stalls: this.stalls,
    };
  }
}
