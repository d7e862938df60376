// Types of rate.mjs.
export declare function pace(ratePerSecond: number, durationMs: number, start: (i: number) => void, tickMs?: number): Promise<{ issued: number; elapsedMs: number }>;
