// Which of an agent's control-plane URLs the next request goes to: the current one until it fails, then the next at
// once; back to the first (the preferred replica) as soon as it answers again, tried at most every RETURN_AFTER_MS.

/** How long the first URL is left alone after it failed before a request tries it again. */
export const RETURN_AFTER_MS = 15_000;

/** A change of URL, for the log. */
export interface UrlSwitch {
  from: string;
  to: string;
  /** 'failover': `from` failed; 'return': the first URL answered again. */
  kind: 'failover' | 'return';
}

export class ControlPlaneUrls {
  private current = 0;
  /** Failures of the current URL, one after the other across URLs, since the last success. */
  private failuresInRow = 0;
  private firstFailedAtMs = -Infinity;

  constructor(readonly urls: readonly string[], private readonly onSwitch: (change: UrlSwitch) => void = () => {}) {
    if (urls.length === 0) throw new Error('an agent needs at least one control-plane URL');
  }

  get currentUrl(): string {
    return this.urls[this.current]!;
  }

  /** The URL for a request starting at `nowMs`: the first again when its last failure is old enough, else the current one. */
  pick(nowMs: number): string {
    return this.current !== 0 && nowMs - this.firstFailedAtMs >= RETURN_AFTER_MS ? this.urls[0]! : this.currentUrl;
  }

  /** `url` answered. When it is the first and another was current, the agent returns to the first. */
  succeeded(url: string): void {
    this.failuresInRow = 0;
    if (url !== this.urls[0] || this.current === 0) return;
    const from = this.currentUrl;
    this.current = 0;
    this.onSwitch({ from, to: url, kind: 'return' });
  }

  /**
   * `url` did not answer (network error, timeout, 5xx). When it was the current one, the next URL becomes current.
   * Returns true when every URL has failed in a row since the last success: time to back off.
   */
  failed(url: string, nowMs: number): boolean {
    const index = this.urls.indexOf(url);
    if (index === 0) this.firstFailedAtMs = nowMs;
    // A failed try of the first, or a request that started before the last switch: the current URL is not to blame.
    if (index !== this.current) return false;
    this.failuresInRow++;
    const next = (this.current + 1) % this.urls.length;
    if (next !== this.current) {
      this.current = next;
      this.onSwitch({ from: url, to: this.currentUrl, kind: 'failover' });
    }
    return this.failuresInRow >= this.urls.length;
  }

  /** How many rounds over every URL have failed since the last success (0 while some URL is still untried). */
  get exhaustedRounds(): number {
    return Math.max(0, this.failuresInRow - this.urls.length + 1);
  }
}
