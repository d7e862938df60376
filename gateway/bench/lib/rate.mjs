// Starts work at a fixed rate for a bounded time: the pacing shared by the floor client and the blackbox driver.
// Plain JavaScript, so the floor client runs on bare node (tsx's loader alone costs an idle process 7-12 ms of CPU a second).

/**
 * Calls start(i) so that i calls have been made after i/rate seconds, checking every tickMs, until durationMs has
 * passed. Bounded by time and by count (rate * duration). Ticks of ~2 ms give about one start per tick at 500/s,
 * the same timer wake-ups per check as a scheduler that spreads probes over the interval.
 * @param {number} ratePerSecond @param {number} durationMs @param {(i: number) => void} start @param {number} [tickMs]
 * @returns {Promise<{ issued: number, elapsedMs: number }>}
 */
export function pace(ratePerSecond, durationMs, start, tickMs = 2) {
  const maxCount = Math.ceil((ratePerSecond * durationMs) / 1000);
  const t0 = performance.now();
  let issued = 0;
  return new Promise((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - t0;
      const due = Math.min(maxCount, Math.floor((elapsed * ratePerSecond) / 1000));
      while (issued < due) start(issued++);
      if (elapsed >= durationMs || issued >= maxCount) resolve({ issued, elapsedMs: elapsed });
      else setTimeout(tick, tickMs);
    };
    tick();
  });
}
