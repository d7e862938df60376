import { describe, expect, test } from 'vitest';
import { DIALOGUE_PRESETS, escapeText, toDialogueRows, toDialogueSteps, unescapeText } from './dialogueSteps';

describe('send text as typed', () => {
  test('control characters and backslashes become escapes, and back', () => {
    expect(escapeText('EHLO probekit\r\n')).toBe('EHLO probekit\\r\\n');
    expect(escapeText('a\\b\t\x00\x1b\x7f')).toBe('a\\\\b\\t\\x00\\x1b\\x7f');
    for (const text of ['EHLO probekit\r\n', 'a\\b\t\x00\x1b\x7f', 'ünïcødé ✓', '\\r literally', '']) expect(unescapeText(escapeText(text))).toBe(text);
  });

  test('a backslash before anything else stays as typed', () => {
    expect(unescapeText('PING\\r\\n')).toBe('PING\r\n');
    expect(unescapeText('\\x41\\q\\')).toBe('A\\q\\');
    expect(unescapeText('\\xZZ')).toBe('\\xZZ');
  });
});

describe('steps', () => {
  test('rows to the steps the gateway takes, and back', () => {
    const steps = toDialogueSteps([
      { kind: 'expect', text: '^220 ', encoding: 'utf8' },
      { kind: 'send', text: 'EHLO x\\r\\n', encoding: 'utf8' },
      { kind: 'send', text: ' 0d0a ', encoding: 'hex' },
      { kind: 'startTls', text: 'ignored', encoding: 'utf8' },
    ]);
    expect(steps).toEqual([{ expect: '^220 ' }, { send: 'EHLO x\r\n', encoding: 'utf8' }, { send: '0d0a', encoding: 'hex' }, { startTls: true }]);
    expect(toDialogueRows([{ expect: '^220 ' }, { send: 'EHLO x\r\n', encoding: 'utf8' }, { send: '0d0a', encoding: 'hex' }, { startTls: true }])).toEqual([
      { kind: 'expect', text: '^220 ', encoding: 'utf8' },
      { kind: 'send', text: 'EHLO x\\r\\n', encoding: 'utf8' },
      { kind: 'send', text: '0d0a', encoding: 'hex' },
      { kind: 'startTls', text: '', encoding: 'utf8' },
    ]);
  });

  test('no rows is no dialogue', () => {
    expect(toDialogueSteps([])).toBeNull();
    expect(toDialogueRows(null)).toEqual([]);
  });

  test('the presets send what the services expect', () => {
    const steps = Object.fromEntries(DIALOGUE_PRESETS.map((preset) => [preset.id, toDialogueSteps(preset.rows)]));
    expect(steps).toEqual({
      ssh: [{ expect: '^SSH-2\\.0-' }],
      'smtp-starttls': [
        { expect: '^220 ' },
        { send: 'EHLO probekit\r\n', encoding: 'utf8' },
        { expect: '^250 ' },
        { send: 'STARTTLS\r\n', encoding: 'utf8' },
        { expect: '^220 ' },
        { startTls: true },
      ],
      redis: [{ send: 'PING\r\n', encoding: 'utf8' }, { expect: '^\\+PONG' }],
      banner: [{ expect: '.+' }],
    });
    expect(new RegExp(steps.ssh![0]!.expect!).test('SSH-2.0-OpenSSH_9.6')).toBe(true);
    expect(new RegExp(steps.redis![1]!.expect!).test('+PONG')).toBe(true);
  });
});
