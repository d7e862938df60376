// Says once that something keeps failing (the store is unreachable, say) and once that it works again, however often it is retried.

/** Where the engine's warnings go: the gateway's logger (pino's `warn(obj, msg)` and `info(obj, msg)`). */
export interface EngineLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** Without a logger: Node's warnings, which reach stderr. */
export const PROCESS_WARNINGS: EngineLog = {
  warn: (_obj, msg) => process.emitWarning(msg),
  info: () => {},
};

export class OutageLog {
  private failingSince: number | null = null;

  /** `failing`: the warning of the first failure of an outage, e.g. "cannot save results; kept, retried". */
  constructor(private readonly log: EngineLog, private readonly failing: string, private readonly recovered: string) {}

  failed(error: unknown): void {
    if (this.failingSince !== null) return;
    this.failingSince = Date.now();
    this.log.warn({ err: error }, this.failing);
  }

  succeeded(): void {
    if (this.failingSince === null) return;
    this.log.info({ outageMs: Date.now() - this.failingSince }, this.recovered);
    this.failingSince = null;
  }
}
