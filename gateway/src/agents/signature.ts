// Agent requests are signed with the shared agent token: the token never travels, and a captured request cannot be replayed.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const AGENT_HEADERS = {
  gateway: 'x-probekit-gateway',
  timestamp: 'x-probekit-timestamp',
  nonce: 'x-probekit-nonce',
  signature: 'x-probekit-signature',
} as const;

/** How far an agent's clock may be from the control plane's; also how long nonces are remembered. */
export const MAX_CLOCK_SKEW_MS = 60_000;

export interface SignedParts {
  gateway: string;
  method: string;
  /** Path with query string, as sent. */
  path: string;
  timestampMs: number;
  nonce: string;
  body: string;
}

function canonical(parts: SignedParts): string {
  const bodyHash = createHash('sha256').update(parts.body).digest('hex');
  return [parts.gateway, parts.method.toUpperCase(), parts.path, String(parts.timestampMs), parts.nonce, bodyHash].join('\n');
}

export function sign(token: string, parts: SignedParts): string {
  return createHmac('sha256', token).update(canonical(parts)).digest('hex');
}

/** Headers for one request from agent `gateway`. */
export function signedHeaders(token: string, gateway: string, method: string, path: string, body: string, nowMs = Date.now()): Record<string, string> {
  const nonce = randomBytes(16).toString('hex');
  return {
    [AGENT_HEADERS.gateway]: gateway,
    [AGENT_HEADERS.timestamp]: String(nowMs),
    [AGENT_HEADERS.nonce]: nonce,
    [AGENT_HEADERS.signature]: sign(token, { gateway, method, path, timestampMs: nowMs, nonce, body }),
  };
}

export type Verdict = { ok: true; gateway: string } | { ok: false; reason: string };

/** Where nonces are remembered: the database every replica shares (store.nonces), so a replay to another replica fails too. */
export interface NonceStore {
  /** False when `nonce` was remembered before. */
  remember(nonce: string, gateway: string, seenAtMs: number): Promise<boolean>;
  forgetBefore(beforeMs: number): Promise<number>;
}

/**
 * How long a nonce must be remembered: a request is accepted while its timestamp is within the skew of the clock,
 * and that timestamp may itself be up to the skew ahead of when it was first seen.
 */
export const NONCE_MEMORY_MS = 2 * MAX_CLOCK_SKEW_MS;

/** Checks signatures and remembers nonces for the skew window, so each signed request is accepted once. */
export class SignatureVerifier {
  constructor(private readonly token: string, private readonly nonces: NonceStore, private readonly now: () => number = Date.now) {}

  /**
   * The verdict on one request. The signature and the clock are checked first, so a forged request costs no database
   * work; then the nonce is remembered. Throws (StoreUnavailableError: 503) when the nonce store cannot answer: a
   * request it cannot check for a replay is not accepted.
   */
  async verify(headers: Record<string, string | string[] | undefined>, method: string, path: string, body: string): Promise<Verdict> {
    const header = (name: string) => {
      const value = headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const gateway = header(AGENT_HEADERS.gateway);
    const timestamp = Number(header(AGENT_HEADERS.timestamp));
    const nonce = header(AGENT_HEADERS.nonce);
    const signature = header(AGENT_HEADERS.signature);
    if (!gateway || !nonce || !signature || !Number.isFinite(timestamp)) return { ok: false, reason: 'the agent signature headers are missing' };
    const now = this.now();
    if (Math.abs(now - timestamp) > MAX_CLOCK_SKEW_MS) return { ok: false, reason: 'the request is too old or its clock is off by more than 60 s' };
    const expected = Buffer.from(sign(this.token, { gateway, method, path, timestampMs: timestamp, nonce, body }), 'hex');
    const given = Buffer.from(signature, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'the agent signature is not valid' };
    if (!(await this.nonces.remember(nonce, gateway, now))) return { ok: false, reason: 'the request was replayed' };
    return { ok: true, gateway };
  }

  /** Forgets the nonces no request can reuse any more (their timestamps are refused as too old by now). */
  forgetExpired(): Promise<number> {
    return this.nonces.forgetBefore(this.now() - NONCE_MEMORY_MS);
  }
}
