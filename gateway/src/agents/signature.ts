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

/** Checks signatures and remembers nonces for the skew window, so each signed request is accepted once. */
export class SignatureVerifier {
  private readonly seen = new Map<string, number>();

  constructor(private readonly token: string, private readonly now: () => number = Date.now) {}

  verify(headers: Record<string, string | string[] | undefined>, method: string, path: string, body: string): Verdict {
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
    this.forgetOld(now);
    if (this.seen.has(nonce)) return { ok: false, reason: 'the request was replayed' };
    this.seen.set(nonce, timestamp);
    return { ok: true, gateway };
  }

  private forgetOld(now: number): void {
    // A Map iterates in insertion order, so the oldest nonces come first: stop at the first one still current.
    for (const [nonce, timestamp] of this.seen) {
      if (now - timestamp <= MAX_CLOCK_SKEW_MS) break;
      this.seen.delete(nonce);
    }
  }
}
