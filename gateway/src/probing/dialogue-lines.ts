// The pure half of dialogue.ts: steps compiled once, received bytes split into lines, the bounded transcript.
import { linearRegExp } from './linear-regexp.js';
import { MAX_PRINTABLE_CHARS, printableHead, printableTail, printableText } from './printable.js';
import type { DialogueStep, TranscriptEntry } from './types.js';

/** Bytes read over the whole dialogue (both sides of a STARTTLS) before reading stops. */
export const MAX_DIALOGUE_READ_BYTES = 64 * 1024;
export const MAX_TRANSCRIPT_ENTRIES = 64;
/** How much of a regular expression an error quotes; the bytes seen get MAX_PRINTABLE_CHARS. */
const MAX_REGEX_CHARS = 100;

export type PlannedStep =
  | { kind: 'send'; bytes: Buffer; label: string }
  | { kind: 'expect'; regex: RegExp; label: string }
  | { kind: 'startTls'; label: string };

/**
 * Steps as the runner needs them: sends encoded, expects compiled, each with the label errors name it by
 * (`dialogue[2] (expect /^220 /)`, the API's field path). The API validates steps already; this second look keeps
 * the runner from throwing on a step that got past it, e.g. from an old agent snapshot.
 */
export function planDialogue(steps: readonly DialogueStep[]): { ok: true; steps: PlannedStep[] } | { ok: false; error: string } {
  const planned: PlannedStep[] = [];
  for (const [index, step] of steps.entries()) {
    const field = `dialogue[${index}]`;
    if ('send' in step) {
      if (step.encoding === 'hex' && !/^(?:[0-9a-fA-F]{2})*$/.test(step.send)) {
        return { ok: false, error: `${field}.send: not an even-length string of hex digits` };
      }
      const bytes = Buffer.from(step.send, step.encoding === 'hex' ? 'hex' : 'utf8');
      planned.push({ kind: 'send', bytes, label: `${field} (send)` });
    } else if ('expect' in step) {
      let regex: RegExp;
      try {
        regex = linearRegExp(step.expect);
      } catch (err) {
        return { ok: false, error: `${field}.expect: ${err instanceof Error ? err.message : String(err)}` };
      }
      planned.push({ kind: 'expect', regex, label: `${field} (expect ${shownRegex(regex)})` });
    } else {
      planned.push({ kind: 'startTls', label: `${field} (startTls)` });
    }
  }
  return { ok: true, steps: planned };
}

export function shownRegex(regex: RegExp): string {
  return printableText(`/${regex.source}/`, MAX_REGEX_CHARS);
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Received bytes, handed out line by line as blackbox's query_response reads them (bufio.ScanLines): a line ends at
 * LF, a CR before it is dropped, and at the end of the stream what is left is the last line. Chunks are kept as they
 * came and each is searched once, so a service dripping bytes without a line end costs linear time, not quadratic.
 */
export class LineBuffer {
  private chunks: Buffer[] = [];
  /** Chunks before this index hold no LF. */
  private searched = 0;

  push(chunk: Buffer): void {
    if (chunk.length > 0) this.chunks.push(chunk);
  }

  get isEmpty(): boolean {
    return this.chunks.length === 0;
  }

  /** The next complete line without its line end, now consumed; null while no line end has arrived. */
  nextLine(): Buffer | null {
    for (; this.searched < this.chunks.length; this.searched++) {
      const chunk = this.chunks[this.searched]!;
      const at = chunk.indexOf(LF);
      if (at === -1) continue;
      const parts = this.chunks.slice(0, this.searched);
      parts.push(chunk.subarray(0, at));
      const rest = chunk.subarray(at + 1);
      this.chunks = this.chunks.slice(this.searched + 1);
      if (rest.length > 0) this.chunks.unshift(rest);
      this.searched = 0;
      const line = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      return line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, -1) : line;
    }
    return null;
  }

  /** What follows the last line end (the partial last line, at the end of the stream), now consumed; null if none. */
  takeRest(): Buffer | null {
    if (this.chunks.length === 0) return null;
    const rest = Buffer.concat(this.chunks);
    this.chunks = [];
    this.searched = 0;
    return rest;
  }
}

/** The last bytes received, for "last bytes seen" in an error; a copy, so a large chunk is not kept alive. */
export class RecentBytes {
  private bytes: Buffer = Buffer.alloc(0);

  // One byte more than is shown: a cut excerpt then starts with "…", and one that is all there was does not.
  constructor(private readonly keep = MAX_PRINTABLE_CHARS + 1) {}

  push(chunk: Buffer): void {
    const joined = chunk.length >= this.keep ? chunk : Buffer.concat([this.bytes, chunk]);
    this.bytes = Buffer.from(joined.subarray(Math.max(0, joined.length - this.keep)));
  }

  clear(): void {
    this.bytes = Buffer.alloc(0);
  }

  /** `last bytes seen: "…"` or `nothing received`, for the end of an error. */
  describe(): string {
    return this.bytes.length === 0 ? 'nothing received' : `last bytes seen: "${printableTail(this.bytes)}"`;
  }
}

/**
 * The dialogue as it went, at most MAX_TRANSCRIPT_ENTRIES entries: the first ones as they came, and in the last
 * slot the latest entry, saying how many were left out before it, so both the start and the end stay visible.
 */
export class TranscriptLog {
  readonly entries: TranscriptEntry[] = [];
  private leftOut = 0;

  constructor(private readonly maxEntries = MAX_TRANSCRIPT_ENTRIES) {}

  /** `content` is bytes as they went over the wire, or text of our own (a TLS handshake's summary or error). */
  add(atMs: number, direction: TranscriptEntry['direction'], content: Uint8Array | string): void {
    if (this.entries.length < this.maxEntries) {
      this.entries.push({ atMs, direction, text: shown(content, MAX_PRINTABLE_CHARS) });
      return;
    }
    this.leftOut++;
    const note = `[${this.leftOut} ${this.leftOut === 1 ? 'entry' : 'entries'} left out] `;
    this.entries[this.maxEntries - 1] = { atMs, direction, text: note + shown(content, MAX_PRINTABLE_CHARS - note.length) };
  }
}

function shown(content: Uint8Array | string, maxChars: number): string {
  return typeof content === 'string' ? printableText(content, maxChars) : printableHead(content, maxChars);
}

/** Milliseconds since `since` (performance.now()), to a tenth: the transcript's atMs. */
export function elapsedMs(since: number, now = performance.now()): number {
  return Math.round((now - since) * 10) / 10;
}
