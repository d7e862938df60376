// A probe's send/expect dialogue on a connected socket: sends, line-by-line expects, a STARTTLS upgrade; bounded in
// bytes read, transcript entries and time. What is decided (lines, matching, texts) lives in dialogue-lines.ts.
import type net from 'node:net';
import {
  elapsedMs,
  LineBuffer,
  MAX_DIALOGUE_READ_BYTES,
  planDialogue,
  RecentBytes,
  TranscriptLog,
  type PlannedStep,
} from './dialogue-lines.js';
import type { CheckOutcome, DialogueStep, FailureReason, TlsDetails, TranscriptEntry } from './types.js';

export type StartTlsResult =
  | { ok: true; socket: net.Socket; details: TlsDetails }
  | { ok: false; outcome: FailureReason; error: string; details: TlsDetails | null };

export interface DialogueContext {
  /** performance.now() by which the whole check must be over */
  deadline: number;
  /** performance.now() when the TCP connection was established: transcript atMs and responseMs count from here */
  connectedAt: number;
  /** Upgrades the socket at a startTls step (deep-check.ts supplies it, wrapping tls.ts) */
  startTls(socket: net.Socket): Promise<StartTlsResult>;
}

export interface DialogueResult {
  /**
   * success | unexpected_response | timeout | tls_error | cert_* | error. At the deadline an expect that got an
   * answer which did not match is unexpected_response; timeout means the service said nothing (or did not read).
   */
  outcome: CheckOutcome;
  /**
   * Starts with the step's field path and kind, e.g. `dialogue[2] (expect /^220 /): ...`; for a failed expect it
   * ends with the last bytes seen (printable, ≤ 200 chars) or "nothing received".
   */
  error: string | null;
  /** connectedAt → the last expect matched; null when no expect matched */
  responseMs: number | null;
  /** ≤ 64 entries, each text printable and ≤ 200 chars */
  transcript: TranscriptEntry[];
  /** From a startTls step (also on its cert_* failures, when the certificate was seen) */
  tls: TlsDetails | null;
  /** The current socket (upgraded or not), for the caller to destroy; no longer read from */
  socket: net.Socket;
}

const READ_BOUND_TEXT = `${MAX_DIALOGUE_READ_BYTES / 1024} KiB`;

/** Runs `steps` on `socket`; never rejects: every failure is a DialogueResult with its outcome. */
export async function runDialogue(
  socket: net.Socket,
  steps: readonly DialogueStep[],
  context: DialogueContext,
): Promise<DialogueResult> {
  const run = new DialogueRun(socket, context);
  try {
    return await run.run(steps);
  } catch (err) {
    // A bug of ours, not the service's: still a result, as the check's contract says.
    return run.finish('error', `dialogue: ${err instanceof Error ? err.message : String(err)}`);
  }
}

type Failure = { outcome: CheckOutcome; error: string };

const noop = () => {};

/**
 * One dialogue's state. Socket events only record what happened and wake the step loop, which looks at the state
 * after each wake-up: one place decides, and a wake-up that comes while nobody waits is never lost.
 */
class DialogueRun {
  private readonly transcript = new TranscriptLog();
  private lines = new LineBuffer();
  private readonly recent = new RecentBytes();
  private bytesRead = 0;
  private readBoundReached = false;
  /** The peer ended the stream or the socket closed. */
  private ended = false;
  private socketError: Error | null = null;
  private timedOut = false;
  private responseMs: number | null = null;
  private tls: TlsDetails | null = null;
  private finished = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | null = null;

  private readonly onData = (chunk: Buffer) => this.received(chunk);
  private readonly onEnd = () => this.note(() => (this.ended = true));
  private readonly onError = (err: Error) => this.note(() => (this.socketError ??= err));
  private readonly onWake = () => this.note(noop);

  constructor(
    private socket: net.Socket,
    private readonly context: DialogueContext,
  ) {}

  async run(steps: readonly DialogueStep[]): Promise<DialogueResult> {
    this.attach(this.socket);
    const remainingMs = this.context.deadline - performance.now();
    if (remainingMs <= 0) this.timedOut = true;
    else this.timer = setTimeout(() => this.note(() => (this.timedOut = true)), remainingMs);

    const plan = planDialogue(steps);
    if (!plan.ok) return this.finish('error', plan.error);
    for (const step of plan.steps) {
      const failure = await this.runStep(step);
      if (failure) return this.finish(failure.outcome, failure.error);
    }
    return this.finish('success', null);
  }

  private runStep(step: PlannedStep): Promise<Failure | null> {
    switch (step.kind) {
      case 'send':
        return this.send(step);
      case 'expect':
        return this.expect(step);
      case 'startTls':
        return this.startTls(step);
    }
  }

  private async send(step: Extract<PlannedStep, { kind: 'send' }>): Promise<Failure | null> {
    const unusable = this.unusableFor(step.label);
    if (unusable) return unusable;
    this.transcript.add(this.now(), 'sent', step.bytes);
    // Backpressure: the next step waits until the socket took this one (4 KiB a send, 16 steps: rarely needed).
    if (!this.socket.write(step.bytes)) {
      while (this.socket.writableNeedDrain && !this.ended && !this.socketError && !this.timedOut) await this.nextEvent();
      if (this.socketError) return this.unexpected(`${step.label}: ${this.socketError.message}`);
      if (this.timedOut && this.socket.writableNeedDrain) return this.timeout(`${step.label}: timed out writing (the service does not read)`);
    }
    return null;
  }

  private async expect(step: Extract<PlannedStep, { kind: 'expect' }>): Promise<Failure | null> {
    const bytesReadBefore = this.bytesRead;
    let linesTested = 0;
    for (;;) {
      const line = this.lines.nextLine();
      if (line) {
        if (this.matches(step, line)) return null;
        linesTested++;
        continue;
      }
      // Checked before `ended`: reaching the bound closes the socket, and the bound is what the user should hear of.
      if (this.readBoundReached) {
        return this.unexpected(`${step.label}: no line matched in the first ${READ_BOUND_TEXT}; ${this.recent.describe()}`);
      }
      if (this.ended || this.socketError) {
        const rest = this.lines.takeRest();
        if (rest && this.matches(step, rest)) return null;
        const reason = this.socketError ? `the connection failed (${this.socketError.message})` : 'the connection closed';
        return this.unexpected(`${step.label}: ${reason} before a line matched; ${this.recent.describe()}`);
      }
      if (this.timedOut) {
        // A service that answered, but not as expected, is a wrong answer; `timeout` is kept for one that said nothing.
        const answered = linesTested > 0 || this.bytesRead > bytesReadBefore || !this.lines.isEmpty;
        if (answered) return this.unexpected(`${step.label}: no line matched before the timeout; ${this.recent.describe()}`);
        return this.timeout(`${step.label}: timed out waiting for an answer; ${this.recent.describe()}`);
      }
      await this.nextEvent();
    }
  }

  private async startTls(step: Extract<PlannedStep, { kind: 'startTls' }>): Promise<Failure | null> {
    const unusable = this.unusableFor(step.label);
    if (unusable) return unusable;
    const plain = this.socket;
    // From here the TLS layer reads the socket. Plaintext still buffered was sent before the handshake and is
    // dropped unread: taking it as the answer of the encrypted session is the STARTTLS injection flaw (CVE-2011-0411).
    this.detach(plain);
    this.lines = new LineBuffer();
    this.recent.clear();

    let upgrade: StartTlsResult | null = null;
    this.context.startTls(plain).then(
      (result) => {
        // Too late (the deadline passed): nobody will use or close the new socket but us.
        if (this.finished) {
          if (result.ok) result.socket.destroy();
          return;
        }
        this.note(() => (upgrade = result));
      },
      (err: unknown) => {
        const error = err instanceof Error ? err.message : String(err);
        this.note(() => (upgrade = { ok: false, outcome: 'tls_error', error, details: null }));
      },
    );
    while (!upgrade && !this.timedOut) await this.nextEvent();
    // TypeScript does not see the callbacks' assignments.
    const result = upgrade as StartTlsResult | null;
    if (!result) return this.timeout(`${step.label}: timed out during the TLS handshake`);

    this.tls = result.details;
    if (!result.ok) {
      this.transcript.add(this.now(), 'tls', result.error);
      return { outcome: result.outcome, error: `${step.label}: ${result.error}` };
    }
    const { protocol, cipher, subject, handshakeMs } = result.details;
    this.transcript.add(this.now(), 'tls', `${protocol} ${cipher}, ${subject}, ${handshakeMs.toFixed(1)} ms`);
    this.socket = result.socket;
    this.attach(this.socket);
    return null;
  }

  /** A line for `step`: in the transcript, and matched against the expected expression (as UTF-8, as Go's regexp). */
  private matches(step: Extract<PlannedStep, { kind: 'expect' }>, line: Buffer): boolean {
    this.transcript.add(this.now(), 'received', line);
    if (!step.regex.test(line.toString('utf8'))) return false;
    this.responseMs = performance.now() - this.context.connectedAt;
    return true;
  }

  /** Why nothing more can be sent on this connection, if it cannot. */
  private unusableFor(label: string): Failure | null {
    if (this.timedOut) return this.timeout(`${label}: timed out before this step`);
    if (this.readBoundReached) {
      return this.unexpected(`${label}: the service sent more than ${READ_BOUND_TEXT} before this step; ${this.recent.describe()}`);
    }
    if (this.socketError) return this.unexpected(`${label}: the connection failed before this step (${this.socketError.message})`);
    if (this.ended || !this.socket.writable) return this.unexpected(`${label}: the connection closed before this step; ${this.recent.describe()}`);
    return null;
  }

  private received(chunk: Buffer): void {
    const room = MAX_DIALOGUE_READ_BYTES - this.bytesRead;
    const taken = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.bytesRead += taken.length;
    this.lines.push(taken);
    this.recent.push(taken);
    if (this.bytesRead >= MAX_DIALOGUE_READ_BYTES) {
      this.readBoundReached = true;
      // Stop reading now: whatever more the service sends stays in (and then fills) the kernel's buffers, not ours.
      this.detach(this.socket);
      this.socket.destroy();
    }
    this.note(noop);
  }

  private attach(socket: net.Socket): void {
    // Kept for good: an error after the dialogue (the caller closing, a late reset) must not go unhandled.
    socket.on('error', noop);
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
    socket.on('drain', this.onWake);
    socket.resume();
  }

  private detach(socket: net.Socket): void {
    socket.pause();
    socket.off('data', this.onData);
    socket.off('end', this.onEnd);
    socket.off('close', this.onEnd);
    socket.off('error', this.onError);
    socket.off('drain', this.onWake);
  }

  private note(change: () => void): void {
    change();
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private nextEvent(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }

  private now(): number {
    return elapsedMs(this.context.connectedAt);
  }

  /** Also for a service that went away mid-dialogue: it did not answer as the dialogue expects. */
  private unexpected(error: string): Failure {
    return { outcome: 'unexpected_response', error };
  }

  private timeout(error: string): Failure {
    return { outcome: 'timeout', error };
  }

  finish(outcome: CheckOutcome, error: string | null): DialogueResult {
    if (!this.finished) {
      this.finished = true;
      clearTimeout(this.timer);
      this.detach(this.socket);
    }
    return {
      outcome,
      error,
      responseMs: this.responseMs,
      transcript: this.transcript.entries,
      tls: this.tls,
      socket: this.socket,
    };
  }
}
