// Host syntax and the GATEWAY_ALLOWED_TARGETS allowlist, as pure functions.
import { describe, expect, it } from 'vitest';
import { isValidHost, mappedIpv4, parseAllowlist } from '../../src/domain/targets.js';

const label = (n: number, c = 'a') => c.repeat(n);

describe('isValidHost', () => {
  it.each([
    'localhost', 'db', 'db.example.com', 'DB-01.Example.COM', 'xn--bcher-kva.example', '3com.net', 'a.b.c.d.e.f', 'host.example.com.',
    '127.0.0.1', '0.0.0.0', '255.255.255.255', '::1', '::', '2001:db8::8a2e:370:7334', 'fe80::1%eth0', '::ffff:10.0.0.1',
    '1a.example', 'example.c0m', '123.example.com',
  ])('accepts %s', (host) => {
    expect(isValidHost(host)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['a lone dot', '.'],
    ['two trailing dots', 'example.com..'],
    ['a leading dot', '.example.com'],
    ['an empty label', 'db..example.com'],
    ['an underscore', '_sip._tcp.example.com'],
    ['a space', 'db example.com'],
    ['a leading hyphen', '-db.example.com'],
    ['a trailing hyphen', 'db-.example.com'],
    ['a numeric top-level label (IPv4 with 999)', '1.2.3.999'],
    ['a numeric top-level label (5 parts)', '1.2.3.4.5'],
    ['a numeric top-level label', 'host.123'],
    ['a bare number', '3232235777'],
    ['a port', 'db.example.com:5432'],
    ['a URL', 'http://db.example.com'],
    ['a CIDR', '10.0.0.0/8'],
    ['a wildcard', '*.example.com'],
    ['a non-ASCII name', 'bücher.example'],
    ['an IPv6 literal in brackets', '[::1]'],
    ['a broken IPv6 literal', '2001:db8:::1'],
  ])('refuses %s', (_what, host) => {
    expect(isValidHost(host)).toBe(false);
  });

  it('allows labels of 63 characters and refuses 64', () => {
    expect(isValidHost(`${label(63)}.example.com`)).toBe(true);
    expect(isValidHost(`${label(64)}.example.com`)).toBe(false);
    expect(isValidHost(label(63))).toBe(true);
    expect(isValidHost(label(64))).toBe(false);
  });

  it('allows names of 253 characters and refuses 254; a trailing dot does not count', () => {
    const name253 = [label(63), label(63, 'b'), label(63, 'c'), label(61, 'd')].join('.');
    expect(name253).toHaveLength(253);
    expect(isValidHost(name253)).toBe(true);
    expect(isValidHost(`${name253}.`)).toBe(true);
    const name254 = [label(63), label(63, 'b'), label(63, 'c'), label(62, 'd')].join('.');
    expect(name254).toHaveLength(254);
    expect(isValidHost(name254)).toBe(false);
    expect(isValidHost(`${name254}.`)).toBe(false);
  });
});

describe('parseAllowlist', () => {
  it('allows every target when the setting is empty or missing', () => {
    for (const spec of [undefined, '', '  ', ' , ']) {
      const allowlist = parseAllowlist(spec);
      expect(allowlist.spec).toBe('');
      expect(allowlist.verdict('anything.example')).toBe('allowed');
      expect(allowlist.verdict('8.8.8.8')).toBe('allowed');
      expect(allowlist.allowsAddress('2001:db8::1')).toBe(true);
    }
  });

  it('matches IPv4 CIDRs and single addresses', () => {
    const allowlist = parseAllowlist('10.0.0.0/8, 192.168.1.5 172.16.0.0/12');
    expect(allowlist.verdict('10.255.0.1')).toBe('allowed');
    expect(allowlist.verdict('11.0.0.1')).toBe('denied');
    expect(allowlist.verdict('192.168.1.5')).toBe('allowed');
    expect(allowlist.verdict('192.168.1.6')).toBe('denied');
    expect(allowlist.verdict('172.31.255.255')).toBe('allowed');
    expect(allowlist.verdict('172.32.0.0')).toBe('denied');
    expect(allowlist.allowsAddress('10.1.2.3')).toBe(true);
    expect(allowlist.allowsAddress('8.8.8.8')).toBe(false);
    expect(allowlist.allowsAddress('not-an-address')).toBe(false);
  });

  it('matches IPv6 CIDRs and single addresses, and IPv4-mapped IPv6 against IPv4 rules', () => {
    const allowlist = parseAllowlist('fd00::/8,::1,10.0.0.0/8');
    expect(allowlist.verdict('fd12:3456::1')).toBe('allowed');
    expect(allowlist.verdict('fe80::1')).toBe('denied');
    expect(allowlist.verdict('::1')).toBe('allowed');
    expect(allowlist.verdict('::2')).toBe('denied');
    expect(allowlist.verdict('::ffff:10.0.0.1')).toBe('allowed');
    expect(allowlist.verdict('::ffff:192.168.0.1')).toBe('denied');
  });

  it('matches IPv6 CIDRs of other prefix lengths, and literals in any spelling', () => {
    const allowlist = parseAllowlist('2001:db8::/32, ::1/128, fd00:17::5');
    expect(allowlist.verdict('2001:db8:ffff::1')).toBe('allowed');
    expect(allowlist.verdict('2001:DB8:0:0:0:0:0:1')).toBe('allowed');
    expect(allowlist.verdict('2001:db9::1')).toBe('denied');
    expect(allowlist.verdict('0:0:0:0:0:0:0:1')).toBe('allowed');
    expect(allowlist.verdict('fd00:17:0::5')).toBe('allowed');
    expect(allowlist.verdict('fd00:17::6')).toBe('denied');
    expect(allowlist.allowsAddress('2001:db8::abcd')).toBe(true);
    expect(allowlist.allowsAddress('fe80::1')).toBe(false);
    // IPv6 entries say nothing about IPv4.
    expect(allowlist.verdict('127.0.0.1')).toBe('denied');
  });

  it('judges IPv4-mapped IPv6 addresses, dotted or hex, as the IPv4 they carry, as targets and as resolved addresses', () => {
    const allowlist = parseAllowlist('10.0.0.0/8, fd00::/8');
    for (const mapped of ['::ffff:10.1.2.3', '::ffff:a01:203', '::FFFF:0A01:0203', '0:0:0:0:0:ffff:10.1.2.3', '0::ffff:a01:203']) {
      expect(allowlist.verdict(mapped), mapped).toBe('allowed');
      expect(allowlist.allowsAddress(mapped), mapped).toBe(true);
    }
    for (const mapped of ['::ffff:11.1.2.3', '::ffff:b01:203', '::ffff:192.168.0.1', '::ffff:c0a8:1']) {
      expect(allowlist.verdict(mapped), mapped).toBe('denied');
      expect(allowlist.allowsAddress(mapped), mapped).toBe(false);
    }
    // Not mapped: IPv4-compatible (::a.b.c.d) and IPv4-translated (::ffff:0:a.b.c.d) forms are plain IPv6.
    expect(allowlist.verdict('::10.1.2.3')).toBe('denied');
    expect(allowlist.verdict('::ffff:0:10.1.2.3')).toBe('denied');
  });

  it('does not let an IPv6 entry open IPv4 through the mapped forms', () => {
    const allowlist = parseAllowlist('::/0');
    expect(allowlist.verdict('2001:db8::1')).toBe('allowed');
    expect(allowlist.verdict('::ffff:10.1.2.3')).toBe('denied');
    expect(allowlist.verdict('::ffff:a01:203')).toBe('denied');
    expect(allowlist.verdict('10.1.2.3')).toBe('denied');
    expect(allowlist.allowsAddress('10.1.2.3')).toBe(false);
  });

  it('takes an IPv4-mapped entry as the IPv4 CIDR it carries', () => {
    const allowlist = parseAllowlist('::ffff:10.0.0.0/104, ::ffff:c0a8:105');
    expect(allowlist.verdict('10.200.0.1')).toBe('allowed');
    expect(allowlist.verdict('::ffff:10.200.0.1')).toBe('allowed');
    expect(allowlist.verdict('11.0.0.1')).toBe('denied');
    expect(allowlist.verdict('192.168.1.5')).toBe('allowed');
    expect(allowlist.verdict('192.168.1.6')).toBe('denied');
  });

  it('extracts the IPv4 address of mapped forms only', () => {
    expect(mappedIpv4('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(mappedIpv4('::ffff:a01:203')).toBe('10.1.2.3');
    expect(mappedIpv4('::ffff:ffff:ffff')).toBe('255.255.255.255');
    expect(mappedIpv4('ffff::1')).toBeNull();
    expect(mappedIpv4('::ffff')).toBeNull();
    expect(mappedIpv4('fd00::1')).toBeNull();
    expect(mappedIpv4('not:an:address:ffff')).toBeNull();
  });

  it('matches host patterns: * any run of characters, ? one, case-insensitive, trailing dot ignored, anchored', () => {
    const allowlist = parseAllowlist('*.corp.example db-??.lab');
    expect(allowlist.verdict('erp.corp.example')).toBe('allowed');
    expect(allowlist.verdict('a.b.corp.example')).toBe('allowed');
    expect(allowlist.verdict('ERP.CORP.EXAMPLE')).toBe('allowed');
    expect(allowlist.verdict('erp.corp.example.')).toBe('allowed');
    expect(allowlist.verdict('corp.example')).toBe('denied');
    expect(allowlist.verdict('erp.corp.example.evil.test')).toBe('denied');
    expect(allowlist.verdict('erpxcorp.example')).toBe('denied');
    expect(allowlist.verdict('db-07.lab')).toBe('allowed');
    expect(allowlist.verdict('db-7.lab')).toBe('denied');
    expect(allowlist.verdict('db-007.lab')).toBe('denied');
    // Patterns do not apply to IP literals, and without CIDRs an address is denied.
    expect(allowlist.verdict('10.0.0.1')).toBe('denied');
    expect(allowlist.allowsAddress('10.0.0.1')).toBe(false);
  });

  it('leaves a name that matches no pattern to its resolved addresses when CIDRs exist', () => {
    const allowlist = parseAllowlist('10.0.0.0/8, *.corp.example');
    expect(allowlist.verdict('www.elsewhere.test')).toBe('check-addresses');
    expect(allowlist.verdict('erp.corp.example')).toBe('allowed');
    expect(parseAllowlist('*.corp.example').verdict('www.elsewhere.test')).toBe('denied');
  });

  it('reports the setting normalised', () => {
    expect(parseAllowlist(' 10.0.0.0/8 ,  *.corp \n ::1 ').spec).toBe('10.0.0.0/8,*.corp,::1');
  });

  it.each([
    ['an IPv4 prefix above 32', '10.0.0.0/33'],
    ['an IPv6 prefix above 128', 'fd00::/129'],
    ['a negative prefix', '10.0.0.0/-1'],
    ['a word as prefix', '10.0.0.0/abc'],
    ['a fractional prefix', '10.0.0.0/8.5'],
    ['an empty prefix', '10.0.0.0/'],
    ['a prefix in exponent notation', '10.0.0.0/1e1'],
    ['a prefix in hex', '10.0.0.0/0x8'],
    ['two prefixes', '10.0.0.0/8/16'],
    ['a prefix on a name', 'example.com/24'],
    ['a broken address with a prefix', '10.0.0/8'],
    ['a URL', 'http://example.com'],
    ['an underscore', 'db_01.corp'],
    ['a port', 'db.corp:5432'],
    ['a bad entry among good ones', '10.0.0.0/8, *.corp, bad!entry'],
  ])('throws for %s, naming the setting and the entry', (_what, spec) => {
    const bad = spec.split(/[\s,]+/).filter(Boolean).at(-1)!;
    expect(() => parseAllowlist(spec)).toThrow(/^GATEWAY_ALLOWED_TARGETS: ".+" (has an invalid prefix length|is neither a CIDR, an IP address nor a host pattern)$/);
    expect(() => parseAllowlist(spec)).toThrow(`"${bad}"`);
  });
});
