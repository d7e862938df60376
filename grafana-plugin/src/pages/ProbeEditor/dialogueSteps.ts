// The probe form's dialogue: steps as the form edits them (a send's control characters shown as escapes, so CR LF
// can be typed), the presets for common services, and the steps the gateway takes. Pure.
import type { DialogueStep, DialogueStepInput } from '../../api/types';

export type StepKind = 'send' | 'expect' | 'startTls';

/** One row of the dialogue section. `text`: a send as escaped text (utf8) or hex digits, an expect's pattern. */
export interface DialogueRow {
  kind: StepKind;
  text: string;
  encoding: 'utf8' | 'hex';
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\r': '\\r', '\n': '\\n', '\t': '\\t' };
const UNESCAPES: Record<string, string> = { '\\': '\\', r: '\r', n: '\n', t: '\t' };

/** "EHLO x\r\n" as typed: backslash, CR, LF and tab as \\ \r \n \t, other control characters as \xHH. */
export function escapeText(text: string): string {
  return text.replace(/[\\\r\n\t\x00-\x1f\x7f]/g, (char) => ESCAPES[char] ?? `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The inverse of escapeText; a backslash before anything else stays as typed. */
export function unescapeText(typed: string): string {
  return typed.replace(/\\(x[0-9a-fA-F]{2}|.)/gs, (escape, what: string) => {
    if (what.length === 3) return String.fromCharCode(parseInt(what.slice(1), 16));
    return UNESCAPES[what] ?? escape;
  });
}

export function toDialogueRows(steps: readonly DialogueStep[] | null): DialogueRow[] {
  return (steps ?? []).map((step): DialogueRow => {
    if ('send' in step) return { kind: 'send', text: step.encoding === 'hex' ? step.send : escapeText(step.send), encoding: step.encoding };
    if ('expect' in step) return { kind: 'expect', text: step.expect, encoding: 'utf8' };
    return { kind: 'startTls', text: '', encoding: 'utf8' };
  });
}

/** The dialogue as the gateway takes it; no rows is no dialogue (null). */
export function toDialogueSteps(rows: readonly DialogueRow[]): DialogueStepInput[] | null {
  if (rows.length === 0) return null;
  return rows.map((row): DialogueStepInput => {
    if (row.kind === 'send') return row.encoding === 'hex' ? { send: row.text.trim(), encoding: 'hex' } : { send: unescapeText(row.text), encoding: 'utf8' };
    if (row.kind === 'expect') return { expect: row.text };
    return { startTls: true };
  });
}

export const newRow = (kind: StepKind): DialogueRow => ({ kind, text: '', encoding: 'utf8' });

const send = (text: string): DialogueRow => ({ kind: 'send', text, encoding: 'utf8' });
const expect = (pattern: string): DialogueRow => ({ kind: 'expect', text: pattern, encoding: 'utf8' });

/** Dialogues of common services: each replaces the steps in the form, for the user to adapt. */
export const DIALOGUE_PRESETS: ReadonlyArray<{ id: string; label: string; description: string; rows: readonly DialogueRow[] }> = [
  { id: 'ssh', label: 'SSH banner', description: 'The server greets with SSH-2.0-…', rows: [expect('^SSH-2\\.0-')] },
  {
    id: 'smtp-starttls',
    label: 'SMTP + STARTTLS',
    description: 'Greeting, EHLO, STARTTLS, then the TLS handshake',
    rows: [expect('^220 '), send('EHLO probekit\\r\\n'), expect('^250 '), send('STARTTLS\\r\\n'), expect('^220 '), newRow('startTls')],
  },
  { id: 'redis', label: 'Redis PING', description: 'PING answered with +PONG', rows: [send('PING\\r\\n'), expect('^\\+PONG')] },
  { id: 'banner', label: 'Generic banner', description: 'Any non-empty first line', rows: [expect('.+')] },
];
