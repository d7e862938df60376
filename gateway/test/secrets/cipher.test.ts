// AES-256-GCM sealing: the format, fresh IVs, and that another key, context or a changed byte does not open.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { UnsealError, agentKey, open, seal } from '../../src/secrets/cipher.js';

const key = randomBytes(32);

describe('seal / open', () => {
  it('round-trips text in the v1 format, with a fresh IV every time', () => {
    const text = 'a secret ✓ with unicode';
    const first = seal(key, text, 'shared-account:web');
    const second = seal(key, text, 'shared-account:web');
    expect(first).toMatch(/^v1:[A-Za-z0-9+/=]{16}:[A-Za-z0-9+/=]{24}:[A-Za-z0-9+/=]+$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain('secret');
    expect(open(key, first, 'shared-account:web')).toBe(text);
    expect(open(key, second, 'shared-account:web')).toBe(text);
  });

  it('does not open with another key, another context, a changed byte or another format', () => {
    const sealed = seal(key, 'hunter2', 'shared-account:web');
    expect(() => open(randomBytes(32), sealed, 'shared-account:web')).toThrow(UnsealError);
    expect(() => open(key, sealed, 'shared-account:db')).toThrow(/does not open with this key/);
    const [format, iv, tag, ciphertext] = sealed.split(':');
    const flipped = Buffer.from(ciphertext!, 'base64');
    flipped[0]! ^= 1;
    expect(() => open(key, [format, iv, tag, flipped.toString('base64')].join(':'), 'shared-account:web')).toThrow(UnsealError);
    expect(() => open(key, `v2:${iv}:${tag}:${ciphertext}`, 'shared-account:web')).toThrow(/format v1/);
    expect(() => open(key, `v1:${iv}:AAAA:${ciphertext}`, 'shared-account:web')).toThrow(/damaged/);
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => seal(randomBytes(16), 'x', 'c')).toThrow(/32 bytes/);
  });
});

describe('agentKey', () => {
  it('derives one 32-byte key per agent token and gateway id, the same on both sides', () => {
    const a1 = agentKey('agent-token-0123456789', 'a1');
    expect(a1).toHaveLength(32);
    expect(agentKey('agent-token-0123456789', 'a1').equals(a1)).toBe(true);
    expect(agentKey('agent-token-0123456789', 'a2').equals(a1)).toBe(false);
    expect(agentKey('other-token-0123456789', 'a1').equals(a1)).toBe(false);
    // Sealed for a1, it opens for a1 only.
    const sealed = seal(a1, 'client key', 'shared-account:web');
    expect(open(agentKey('agent-token-0123456789', 'a1'), sealed, 'shared-account:web')).toBe('client key');
    expect(() => open(agentKey('agent-token-0123456789', 'a2'), sealed, 'shared-account:web')).toThrow(UnsealError);
  });
});
