// Bytes a service sent (or text a user wrote), made safe to show: control bytes escaped visibly, cut to a bound.

/** The longest excerpt shown: a transcript entry's text, the bytes quoted in an error. */
export const MAX_PRINTABLE_CHARS = 200;

const ELLIPSIS = '…';

// Backslash is escaped too, so that "\n" in the output always means the byte 0x0a and never the two characters.
const NAMED_ESCAPES: Record<number, string> = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r', 0x5c: '\\\\' };

/** One byte as shown: printable ASCII as itself, everything else (controls, DEL, non-ASCII) as \t \n \r or \xNN. */
function escapeByte(byte: number): string {
  const named = NAMED_ESCAPES[byte];
  if (named !== undefined) return named;
  if (byte >= 0x20 && byte < 0x7f) return String.fromCharCode(byte);
  return `\\x${byte.toString(16).padStart(2, '0')}`;
}

/**
 * One character of text as shown: controls escaped as escapeByte does; backslashes and other Unicode stay, since
 * this text is our own or the user's (a regular expression reads as written).
 */
function escapeChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f ? escapeByte(code) : char;
}

/**
 * Joins `pieces` while they fit in `maxChars`; when they do not, ends (or, for a tail, starts) with an ellipsis
 * inside the bound. Works piece by piece so that no escape is cut in half, and stops early on long input.
 */
function fit(pieces: Iterable<string>, maxChars: number, fromEnd: boolean): string {
  const kept: string[] = [];
  let length = 0;
  let cut = false;
  for (const piece of pieces) {
    if (length + piece.length > maxChars) {
      cut = true;
      break;
    }
    kept.push(piece);
    length += piece.length;
  }
  if (cut) {
    while (kept.length > 0 && length + ELLIPSIS.length > maxChars) length -= kept.pop()!.length;
    kept.push(ELLIPSIS);
  }
  if (fromEnd) kept.reverse();
  return kept.join('');
}

function* bytePieces(bytes: Uint8Array, fromEnd: boolean): Generator<string> {
  if (fromEnd) for (let i = bytes.length - 1; i >= 0; i--) yield escapeByte(bytes[i]!);
  else for (const byte of bytes) yield escapeByte(byte);
}

function* charPieces(text: string): Generator<string> {
  for (const char of text) yield escapeChar(char);
}

/** The first bytes of `bytes`, escaped, at most `maxChars` long (ending with "…" when cut). */
export function printableHead(bytes: Uint8Array, maxChars = MAX_PRINTABLE_CHARS): string {
  return fit(bytePieces(bytes, false), maxChars, false);
}

/** The last bytes of `bytes`, escaped, at most `maxChars` long (starting with "…" when cut): what was seen last. */
export function printableTail(bytes: Uint8Array, maxChars = MAX_PRINTABLE_CHARS): string {
  return fit(bytePieces(bytes, true), maxChars, true);
}

/** Text (a regular expression, a library's message) with its control characters escaped, at most `maxChars` long. */
export function printableText(text: string, maxChars = MAX_PRINTABLE_CHARS): string {
  return fit(charPieces(text), maxChars, false);
}
