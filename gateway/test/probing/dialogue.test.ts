// Send/expect dialogues against real loopback services (banners, Redis-like, SMTP-like with STARTTLS, a 10 MB
// flood), and the pure pieces behind them: printable excerpts, line splitting, the bounded transcript.
import { once } from 'node:events';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDialogue, type DialogueContext, type DialogueResult } from '../../src/probing/dialogue.js';
import { LineBuffer, MAX_DIALOGUE_READ_BYTES, planDialogue, RecentBytes, TranscriptLog } from '../../src/probing/dialogue-lines.js';
import { printableHead, printableTail, printableText } from '../../src/probing/printable.js';
import type { DialogueStep, TlsDetails } from '../../src/probing/types.js';
import {
  plainStartTls,
  SMTP_STARTTLS,
  startBannerServer,
  startRedisLikeServer,
  startSmtpLikeServer,
  type DialogueServer,
  type SmtpLikeServer,
} from '../helpers/dialogue-servers.js';
import { startHostileListener, type HostileListener } from '../helpers/listeners.js';

const SSH_BANNER = 'SSH-2.0-OpenSSH_9.6\r\n';
const SSH_EXPECT: DialogueStep[] = [{ expect: '^SSH-2\\.0-' }];

/** What a fake startTls reports. */
const TLS_DETAILS: TlsDetails = {
  handshakeMs: 1, protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', subject: 'CN=localhost', issuer: 'CN=x',
  fingerprintSha256: 'ab', notBefore: 0, notAfter: 1, chainExpiresAt: 1,
};

interface Run {
  result: DialogueResult;
  /** From connected to the result, ms. */
  tookMs: number;
}

/** Connects to `port` on loopback and runs `steps` with `timeoutMs` from the connect; closes the socket after. */
async function dialogue(
  port: number,
  steps: readonly DialogueStep[],
  options: { timeoutMs?: number; startTls?: DialogueContext['startTls'] } = {},
): Promise<Run> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  const connectedAt = performance.now();
  const result = await runDialogue(socket, steps, {
    connectedAt,
    deadline: connectedAt + (options.timeoutMs ?? 2000),
    startTls: options.startTls ?? plainStartTls(),
  });
  const tookMs = performance.now() - connectedAt;
  result.socket.destroy();
  socket.destroy();
  return { result, tookMs };
}

const texts = (result: DialogueResult) => result.transcript.map((entry) => `${entry.direction} ${entry.text}`);

describe('runDialogue against loopback services', () => {
  const servers: (DialogueServer | HostileListener)[] = [];
  const started = <T extends DialogueServer | HostileListener>(server: T): T => {
    servers.push(server);
    return server;
  };
  let ssh: DialogueServer;
  let redis: DialogueServer;
  let smtp: SmtpLikeServer;

  beforeAll(async () => {
    ssh = started(await startBannerServer(SSH_BANNER));
    redis = started(await startRedisLikeServer());
    smtp = started(await startSmtpLikeServer());
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });

  it('matches an SSH banner, with the line in the transcript and the response time', async () => {
    const { result, tookMs } = await dialogue(ssh.port, SSH_EXPECT);
    expect(result).toMatchObject({ outcome: 'success', error: null, tls: null });
    expect(texts(result)).toEqual(['received SSH-2.0-OpenSSH_9.6']);
    expect(result.responseMs).toBeGreaterThan(0);
    expect(result.responseMs).toBeLessThanOrEqual(tookMs);
    expect(result.transcript[0]!.atMs).toBeLessThanOrEqual(tookMs);
  });

  it('matches a pattern that backtracks exponentially in linear time: a hostile banner cannot stall the gateway', async () => {
    // On V8's backtracking engine, /(a+)+$/ on 28 a's and a b takes about 17 s; on the linear one, microseconds.
    const server = started(await startBannerServer(`${'a'.repeat(28)}b\r\n`, { thenClose: true }));
    const { result, tookMs } = await dialogue(server.port, [{ expect: '(a+)+$' }], { timeoutMs: 2000 });
    expect(result.outcome).toBe('unexpected_response');
    expect(tookMs).toBeLessThan(1000);
  });

  it('reports a wrong banner that is held open as unexpected_response at the deadline, naming the regex and the bytes', async () => {
    const server = started(await startBannerServer('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n'));
    const { result, tookMs } = await dialogue(server.port, SSH_EXPECT, { timeoutMs: 300 });
    expect(result.outcome).toBe('unexpected_response');
    expect(result.error).toBe(
      'dialogue[0] (expect /^SSH-2\\.0-/): no line matched before the timeout; ' +
        'last bytes seen: "HTTP/1.1 400 Bad Request\\r\\nConnection: close\\r\\n"',
    );
    expect(texts(result)).toEqual(['received HTTP/1.1 400 Bad Request', 'received Connection: close']);
    expect(result.responseMs).toBeNull();
    expect(tookMs).toBeGreaterThanOrEqual(290);
    expect(tookMs).toBeLessThan(1000);
  });

  it('reports a wrong banner followed by a close as unexpected_response at once', async () => {
    const server = started(await startBannerServer('220 not ssh\r\n', { thenClose: true }));
    const { result, tookMs } = await dialogue(server.port, SSH_EXPECT);
    expect(result.outcome).toBe('unexpected_response');
    expect(result.error).toBe(
      'dialogue[0] (expect /^SSH-2\\.0-/): the connection closed before a line matched; last bytes seen: "220 not ssh\\r\\n"',
    );
    expect(tookMs).toBeLessThan(1000);
  });

  it('times out on a service that answers after the deadline', async () => {
    const server = started(await startBannerServer(SSH_BANNER, { delayMs: 3000 }));
    const { result, tookMs } = await dialogue(server.port, SSH_EXPECT, { timeoutMs: 300 });
    expect(result).toMatchObject({
      outcome: 'timeout',
      error: 'dialogue[0] (expect /^SSH-2\\.0-/): timed out waiting for an answer; nothing received',
      responseMs: null,
      transcript: [],
    });
    expect(tookMs).toBeGreaterThanOrEqual(290);
    expect(tookMs).toBeLessThan(1000);
  });

  it('times out at once when the deadline has already passed', async () => {
    const socket = net.connect({ host: '127.0.0.1', port: ssh.port });
    await once(socket, 'connect');
    const now = performance.now();
    const result = await runDialogue(socket, SSH_EXPECT, { connectedAt: now - 10, deadline: now - 1, startTls: plainStartTls() });
    socket.destroy();
    expect(result.outcome).toBe('timeout');
  });

  it('reports a service that closes before answering as unexpected_response', async () => {
    const server = started(await startBannerServer('', { thenClose: true }));
    const { result } = await dialogue(server.port, SSH_EXPECT);
    expect(result).toMatchObject({
      outcome: 'unexpected_response',
      error: 'dialogue[0] (expect /^SSH-2\\.0-/): the connection closed before a line matched; nothing received',
      transcript: [],
    });
  });

  it('tries the partial last line at the end of the stream', async () => {
    const server = started(await startBannerServer('SSH-1.99-old\r\nSSH-2.0-no-line-end', { thenClose: true }));
    const { result } = await dialogue(server.port, SSH_EXPECT);
    expect(result.outcome).toBe('success');
    expect(texts(result)).toEqual(['received SSH-1.99-old', 'received SSH-2.0-no-line-end']);
  });

  it('does not take a partial line as complete while the connection is open', async () => {
    const server = started(await startBannerServer('SSH-2.0-no-line-end'));
    const { result } = await dialogue(server.port, SSH_EXPECT, { timeoutMs: 200 });
    expect(result.outcome).toBe('unexpected_response');
    expect(result.error).toContain('no line matched before the timeout; last bytes seen: "SSH-2.0-no-line-end"');
  });

  it('talks to a Redis-like service: PING, +PONG', async () => {
    const { result } = await dialogue(redis.port, [{ send: 'PING\r\n' }, { expect: '^\\+PONG' }]);
    expect(result.outcome).toBe('success');
    expect(texts(result)).toEqual(['sent PING\\r\\n', 'received +PONG']);
    expect(result.responseMs).toBeGreaterThan(result.transcript[0]!.atMs - 0.1);
  });

  it('sends hex-encoded bytes', async () => {
    const { result } = await dialogue(redis.port, [{ send: '50494e470d0a', encoding: 'hex' }, { expect: '^\\+PONG$' }]);
    expect(result.outcome).toBe('success');
    expect(texts(result)).toEqual(['sent PING\\r\\n', 'received +PONG']);
  });

  // Sends are at most 4 KiB through the API; the runner takes bigger ones, which is how these fill the socket's buffers.
  it('waits for the socket to take a large send before the next step', async () => {
    const { result } = await dialogue(redis.port, [{ send: `${'x'.repeat(4 * 1024 * 1024)}\r\nPING\r\n` }, { expect: '^\\+PONG' }], {
      timeoutMs: 10_000,
    });
    expect(result.outcome).toBe('success');
    expect(texts(result)[0]).toMatch(/^sent x{199}…$/);
  });

  it('times out on a send the service never reads', async () => {
    const deaf = started(await startHostileListener('never-reads'));
    const { result, tookMs } = await dialogue(deaf.port, [{ send: 'x'.repeat(32 * 1024 * 1024) }, { expect: '.' }], { timeoutMs: 500 });
    expect(result).toMatchObject({ outcome: 'timeout', error: 'dialogue[0] (send): timed out writing (the service does not read)' });
    expect(tookMs).toBeLessThan(2000);
  });

  it('runs a 16-step dialogue', async () => {
    const steps: DialogueStep[] = [];
    for (let i = 0; i < 8; i++) steps.push({ send: 'PING\r\n' }, { expect: '^\\+PONG' });
    const { result } = await dialogue(redis.port, steps);
    expect(result.outcome).toBe('success');
    expect(result.transcript).toHaveLength(16);
    expect(result.transcript.at(-1)).toMatchObject({ direction: 'received', text: '+PONG' });
  });

  it('fails an expect after the service has closed', async () => {
    const server = started(await startBannerServer('bye\r\n', { thenClose: true }));
    const { result } = await dialogue(server.port, [{ expect: '^bye' }, { expect: '^never' }]);
    expect(result.outcome).toBe('unexpected_response');
    expect(result.error).toMatch(/^dialogue\[1\] \(expect \/\^never\/\): the connection closed before a line matched/);
  });

  it('fails a send on a connection the service has closed', async () => {
    const server = started(await startBannerServer('bye\r\n', { thenClose: true }));
    const socket = net.connect({ host: '127.0.0.1', port: server.port });
    socket.resume();
    await once(socket, 'end');
    const connectedAt = performance.now();
    const result = await runDialogue(socket, [{ send: 'QUIT\r\n' }], { connectedAt, deadline: connectedAt + 1000, startTls: plainStartTls() });
    socket.destroy();
    expect(result).toMatchObject({
      outcome: 'unexpected_response',
      error: 'dialogue[0] (send): the connection closed before this step; nothing received',
      transcript: [],
    });
  });

  it('upgrades an SMTP-like service with STARTTLS and carries on inside TLS', async () => {
    const sessionsBefore = smtp.secureSessions;
    const steps: DialogueStep[] = [...SMTP_STARTTLS, { send: 'EHLO probekit\r\n' }, { expect: '^250 AUTH' }];
    const { result } = await dialogue(smtp.port, steps);
    expect(result.outcome).toBe('success');
    expect(result.error).toBeNull();
    expect(smtp.secureSessions).toBe(sessionsBefore + 1);
    expect(result.tls).toMatchObject({ protocol: 'TLSv1.3', subject: 'CN=localhost' });
    expect(texts(result)).toEqual([
      'received 220 mail.test ESMTP probekit',
      'sent EHLO probekit\\r\\n',
      'received 250-mail.test',
      'received 250-SIZE 10240000',
      'received 250 STARTTLS',
      'sent STARTTLS\\r\\n',
      'received 220 2.0.0 Ready to start TLS',
      expect.stringMatching(/^tls TLSv1\.3 TLS_\w+, CN=localhost, \d+\.\d ms$/),
      'sent EHLO probekit\\r\\n',
      'received 250-mail.test greets you over TLS',
      'received 250 AUTH PLAIN',
    ]);
    // The socket handed back is the TLS one, for the caller to close.
    expect(result.socket.constructor.name).toBe('TLSSocket');
  });

  it('drops plaintext sent before the handshake instead of taking it for the TLS session\'s answer', async () => {
    const server = started(await startSmtpLikeServer('inject'));
    const { result } = await dialogue(server.port, [...SMTP_STARTTLS, { expect: '^250 ' }], { timeoutMs: 500 });
    // Inside TLS the server waits for EHLO, so nothing genuine answers this expect.
    expect(result.outcome).toBe('timeout');
    expect(result.error).toBe('dialogue[6] (expect /^250 /): timed out waiting for an answer; nothing received');
    expect(result.tls).not.toBeNull();
    expect(texts(result).join('\n')).not.toContain('injected');
  });

  it('reports a failed STARTTLS handshake with the outcome startTls gave', async () => {
    const server = started(await startSmtpLikeServer('garbage'));
    const { result } = await dialogue(server.port, SMTP_STARTTLS);
    expect(result.outcome).toBe('tls_error');
    expect(result.error).toMatch(/^dialogue\[5\] \(startTls\): .+/);
    expect(result.tls).toBeNull();
    expect(result.transcript.at(-1)!.direction).toBe('tls');
  });

  it('passes on a cert_* outcome and the certificate details startTls saw', async () => {
    const { result } = await dialogue(smtp.port, SMTP_STARTTLS, {
      startTls: async () => ({ ok: false, outcome: 'cert_expired', error: 'certificate has expired', details: TLS_DETAILS }),
    });
    expect(result).toMatchObject({ outcome: 'cert_expired', error: 'dialogue[5] (startTls): certificate has expired', tls: TLS_DETAILS });
  });

  it('times out in a STARTTLS handshake the service never answers', async () => {
    const server = started(await startSmtpLikeServer('silent'));
    const { result, tookMs } = await dialogue(server.port, SMTP_STARTTLS, { timeoutMs: 400 });
    expect(result).toMatchObject({ outcome: 'timeout', error: 'dialogue[5] (startTls): timed out during the TLS handshake' });
    expect(tookMs).toBeLessThan(1000);
    expect(result.socket.constructor.name).toBe('Socket');
  });

  it('closes a TLS socket that startTls delivers after the deadline', async () => {
    const late = net.connect({ host: '127.0.0.1', port: ssh.port }).on('error', () => {});
    await once(late, 'connect');
    const { result } = await dialogue(smtp.port, SMTP_STARTTLS, {
      timeoutMs: 300,
      startTls: () => new Promise((resolve) => setTimeout(() => resolve({ ok: true, socket: late, details: TLS_DETAILS }), 500)),
    });
    expect(result.outcome).toBe('timeout');
    expect(late.destroyed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(late.destroyed).toBe(true);
  });

  it('never rejects, even when startTls throws', async () => {
    const { result } = await dialogue(smtp.port, SMTP_STARTTLS, {
      startTls: () => Promise.reject(new Error('boom')),
    });
    expect(result).toMatchObject({ outcome: 'tls_error', error: 'dialogue[5] (startTls): boom' });
  });

  it('stops reading a 10 MB flood at 64 KiB, with memory to match', async () => {
    const flood = started(await startHostileListener('floods'));
    const memoryBefore = process.memoryUsage();
    const socket = net.connect({ host: '127.0.0.1', port: flood.port });
    await once(socket, 'connect');
    const connectedAt = performance.now();
    const result = await runDialogue(socket, [{ expect: '^OK' }], { connectedAt, deadline: connectedAt + 5000, startTls: plainStartTls() });
    const tookMs = performance.now() - connectedAt;
    const memoryAfter = process.memoryUsage();

    expect(result.outcome).toBe('unexpected_response');
    expect(result.error).toBe(`dialogue[0] (expect /^OK/): no line matched in the first 64 KiB; last bytes seen: "…${'*'.repeat(199)}"`);
    expect(result.socket.destroyed).toBe(true);
    // Node reads at most 64 KiB at a time: the read that crossed the bound is the last one.
    expect(socket.bytesRead).toBeGreaterThanOrEqual(MAX_DIALOGUE_READ_BYTES);
    expect(socket.bytesRead).toBeLessThanOrEqual(2 * MAX_DIALOGUE_READ_BYTES);
    expect(tookMs).toBeLessThan(2000);
    const grownBytes = memoryAfter.heapUsed + memoryAfter.arrayBuffers - memoryBefore.heapUsed - memoryBefore.arrayBuffers;
    expect(grownBytes).toBeLessThan(3 * 1024 * 1024);
    // The gateway is fine: the next dialogue goes as usual.
    expect((await dialogue(ssh.port, SSH_EXPECT)).result.outcome).toBe('success');
  });

  it('bounds the transcript to 64 printable entries of at most 200 characters, keeping the latest', async () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}\r\n`).join('');
    const noisy = `\x00\x1b[31m${'x'.repeat(1000)}\r\n`;
    const server = started(await startBannerServer(`${lines}${noisy}READY\r\n`));
    const { result } = await dialogue(server.port, [{ expect: '^READY$' }]);
    expect(result.outcome).toBe('success');
    expect(result.transcript).toHaveLength(64);
    expect(result.transcript[0]!.text).toBe('line 0');
    expect(result.transcript[62]!.text).toBe('line 62');
    // 102 lines received: 63 shown as they came, the latest in the last slot, 38 left out between.
    expect(result.transcript[63]).toMatchObject({ direction: 'received', text: '[38 entries left out] READY' });
    for (const entry of result.transcript) {
      expect(entry.text.length).toBeLessThanOrEqual(200);
      expect(entry.text).not.toMatch(/[\x00-\x1f\x7f]/);
    }
  });

  it('keeps a long noisy answer printable and cut in the error', async () => {
    const server = started(await startBannerServer(`\x00\x01${'y'.repeat(5000)}\x1b\r\n`, { thenClose: true }));
    const { result } = await dialogue(server.port, SSH_EXPECT);
    expect(result.outcome).toBe('unexpected_response');
    const quoted = /last bytes seen: "(.*)"$/.exec(result.error!)![1]!;
    expect(quoted.length).toBeLessThanOrEqual(200);
    expect(quoted).toMatch(/^…y+\\x1b\\r\\n$/);
    expect(result.error).not.toMatch(/[\x00-\x1f]/);
    expect(result.transcript[0]!.text).toMatch(/^\\x00\\x01y+…$/);
    expect(result.transcript[0]!.text).toHaveLength(200);
  });

  it('turns a step that got past validation into an error outcome', async () => {
    const badHex = await dialogue(redis.port, [{ send: 'abc', encoding: 'hex' }]);
    expect(badHex.result).toMatchObject({ outcome: 'error', error: 'dialogue[0].send: not an even-length string of hex digits' });
    const badRegex = await dialogue(redis.port, [{ send: 'PING\r\n' }, { expect: '(' }]);
    expect(badRegex.result.outcome).toBe('error');
    expect(badRegex.result.error).toMatch(/^dialogue\[1\]\.expect: Invalid regular expression/);
    expect(badRegex.result.transcript).toEqual([]);
  });

  it('succeeds at once with no steps', async () => {
    const { result } = await dialogue(ssh.port, []);
    expect(result).toMatchObject({ outcome: 'success', error: null, responseMs: null, transcript: [] });
  });
});

describe('printable excerpts', () => {
  it('escapes control, DEL, backslash and non-ASCII bytes visibly', () => {
    expect(printableHead(Buffer.from([0x41, 0x0d, 0x0a, 0x09, 0x00, 0x7f, 0x5c, 0xc3, 0xa9]))).toBe('A\\r\\n\\t\\x00\\x7f\\\\\\xc3\\xa9');
  });

  it('cuts the head with a trailing ellipsis and the tail with a leading one, inside the bound', () => {
    const bytes = Buffer.from('abcdefghij');
    expect(printableHead(bytes, 10)).toBe('abcdefghij');
    expect(printableHead(bytes, 5)).toBe('abcd…');
    expect(printableTail(bytes, 5)).toBe('…ghij');
    expect(printableTail(bytes, 10)).toBe('abcdefghij');
  });

  it('never cuts an escape in half', () => {
    const bytes = Buffer.from([0x61, 0x00, 0x00]);
    expect(printableHead(bytes, 5)).toBe('a…');
    expect(printableHead(bytes, 6)).toBe('a\\x00…');
    expect(printableTail(bytes, 6)).toBe('…\\x00');
  });

  it('keeps Unicode in text of our own but escapes its controls', () => {
    expect(printableText('/^é\n\\d/')).toBe('/^é\\n\\d/');
    expect(printableText('x'.repeat(300))).toHaveLength(200);
  });
});

describe('LineBuffer', () => {
  it('splits on LF, drops a CR before it, even across chunks', () => {
    const lines = new LineBuffer();
    lines.push(Buffer.from('one\r'));
    expect(lines.nextLine()).toBeNull();
    lines.push(Buffer.from('\ntwo\nthr'));
    lines.push(Buffer.from('ee'));
    expect(lines.nextLine()?.toString()).toBe('one');
    expect(lines.nextLine()?.toString()).toBe('two');
    expect(lines.nextLine()).toBeNull();
    expect(lines.isEmpty).toBe(false);
    expect(lines.takeRest()?.toString()).toBe('three');
    expect(lines.takeRest()).toBeNull();
    expect(lines.isEmpty).toBe(true);
  });

  it('keeps a lone CR inside a line and gives empty lines', () => {
    const lines = new LineBuffer();
    lines.push(Buffer.from('a\rb\n\n\r\n'));
    expect(lines.nextLine()?.toString()).toBe('a\rb');
    expect(lines.nextLine()?.toString()).toBe('');
    expect(lines.nextLine()?.toString()).toBe('');
    expect(lines.nextLine()).toBeNull();
  });

  it('handles a drip of single bytes in linear time', () => {
    const lines = new LineBuffer();
    const started = performance.now();
    const z = Buffer.from('z');
    for (let i = 0; i < MAX_DIALOGUE_READ_BYTES; i++) {
      lines.push(z);
      if (lines.nextLine() !== null) throw new Error(`a line after ${i + 1} bytes without a line end`);
    }
    lines.push(Buffer.from('\n'));
    expect(lines.nextLine()).toHaveLength(MAX_DIALOGUE_READ_BYTES);
    // Quadratic (a concat per chunk) copies 2 GB here, seconds; linear is milliseconds.
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('RecentBytes and TranscriptLog', () => {
  it('keeps the last bytes across chunks', () => {
    const recent = new RecentBytes(4);
    expect(recent.describe()).toBe('nothing received');
    recent.push(Buffer.from('ab'));
    recent.push(Buffer.from('cde'));
    expect(recent.describe()).toBe('last bytes seen: "bcde"');
    recent.push(Buffer.from('0123456789'));
    expect(recent.describe()).toBe('last bytes seen: "6789"');
  });

  it('keeps the first entries and the latest, counting those left out', () => {
    const log = new TranscriptLog(3);
    for (let i = 0; i < 3; i++) log.add(i, 'received', Buffer.from(`r${i}`));
    expect(log.entries.map((entry) => entry.text)).toEqual(['r0', 'r1', 'r2']);
    log.add(3, 'sent', Buffer.from('s3'));
    expect(log.entries.at(-1)).toEqual({ atMs: 3, direction: 'sent', text: '[1 entry left out] s3' });
    log.add(4, 'tls', 'TLSv1.3');
    expect(log.entries).toHaveLength(3);
    expect(log.entries.at(-1)).toEqual({ atMs: 4, direction: 'tls', text: '[2 entries left out] TLSv1.3' });
    log.add(5, 'received', Buffer.alloc(500, 0x41));
    expect(log.entries.at(-1)!.text).toHaveLength(200);
  });
});

describe('planDialogue', () => {
  it('labels steps by their field path and encodes sends', () => {
    const plan = planDialogue([{ send: '0d0A', encoding: 'hex' }, { expect: '^220 ' }, { startTls: true }, { send: 'é' }]);
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    expect(plan.steps.map((step) => step.label)).toEqual([
      'dialogue[0] (send)', 'dialogue[1] (expect /^220 /)', 'dialogue[2] (startTls)', 'dialogue[3] (send)',
    ]);
    expect(plan.steps[0]).toMatchObject({ bytes: Buffer.from([0x0d, 0x0a]) });
    expect(plan.steps[3]).toMatchObject({ bytes: Buffer.from([0xc3, 0xa9]) });
  });

  it('quotes at most 100 characters of a long expression', () => {
    const plan = planDialogue([{ expect: 'a'.repeat(1024) }]);
    expect(plan.ok && plan.steps[0]!.label.length).toBeLessThanOrEqual('dialogue[0] (expect )'.length + 100);
  });
});
