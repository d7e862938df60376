// readSettings(env, argv): defaults, flags over the environment, and refusals that name the variable.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSettings, SettingsError } from '../../src/settings.js';

describe('readSettings', () => {
  it('has the documented defaults', () => {
    const settings = readSettings({ GATEWAY_ID: 'edge-1' }, []);
    expect(settings).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      dbFile: resolve('./data/gateway.db'),
      dataDir: resolve('./data'),
      database: { kind: 'sqlite', file: resolve('./data/gateway.db') },
      apiToken: undefined,
      apiTokenFile: undefined,
      gatewayId: 'edge-1',
      dnsServers: [],
      maxInFlight: null, // sized to the machine at start-up
      bodyLimitBytes: 16 * 1024 * 1024,
      logLevel: 'info',
      controlPlaneUrl: undefined,
      controlPlaneUrls: [],
      controlPlaneToken: undefined,
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    });
    expect(settings.allowlist.spec).toBe('');
    expect(settings.allowlist.verdict('8.8.8.8')).toBe('allowed');
  });

  it('names the gateway after the host when GATEWAY_ID is not set', () => {
    // Only meaningful where the host name itself is a valid id (it is on the build machines).
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(hostname())) return;
    expect(readSettings({}, []).gatewayId).toBe(hostname());
  });

  it('reads every variable', () => {
    const settings = readSettings({
      GATEWAY_HOST: '0.0.0.0',
      GATEWAY_PORT: '9000',
      GATEWAY_DB: '/var/lib/probekit/config.db',
      GATEWAY_API_TOKEN: ' secret-token-0123456789 ',
      GATEWAY_API_TOKEN_FILE: '/run/secrets/token',
      GATEWAY_ID: 'fra-dc1.edge_2',
      GATEWAY_ALLOWED_TARGETS: '10.0.0.0/8, *.corp',
      GATEWAY_DNS_SERVERS: '10.0.0.53, 10.0.1.53:5353  9.9.9.9',
      GATEWAY_TIME_ZONE: 'Europe/Berlin',
      GATEWAY_MAX_IN_FLIGHT: '64',
      GATEWAY_BODY_LIMIT_BYTES: '2048',
      GATEWAY_LOG_LEVEL: 'debug',
      GATEWAY_CONTROL_PLANE_URL: 'https://cp.example.com',
      GATEWAY_CONTROL_PLANE_TOKEN: 'cp-token-0123456789abcdef',
    }, []);
    expect(settings).toMatchObject({
      host: '0.0.0.0', port: 9000, dbFile: '/var/lib/probekit/config.db', dataDir: '/var/lib/probekit', apiToken: 'secret-token-0123456789',
      apiTokenFile: '/run/secrets/token', gatewayId: 'fra-dc1.edge_2', dnsServers: ['10.0.0.53', '10.0.1.53:5353', '9.9.9.9'],
      timeZone: 'Europe/Berlin', maxInFlight: 64, bodyLimitBytes: 2048, logLevel: 'debug', controlPlaneUrl: 'https://cp.example.com', controlPlaneUrls: ['https://cp.example.com'], controlPlaneToken: 'cp-token-0123456789abcdef',
    });
    expect(settings.allowlist.spec).toBe('10.0.0.0/8,*.corp');
  });

  it('treats empty and blank variables as not set', () => {
    const settings = readSettings({ GATEWAY_ID: 'edge-1', GATEWAY_PORT: '', GATEWAY_HOST: '   ', GATEWAY_API_TOKEN: '', GATEWAY_ALLOWED_TARGETS: ' ' }, []);
    expect(settings).toMatchObject({ port: 8080, host: '127.0.0.1', apiToken: undefined });
    expect(settings.allowlist.verdict('anything')).toBe('allowed');
  });

  it('resolves a relative GATEWAY_DB against the working folder; the data folder is the one holding it', () => {
    const settings = readSettings({ GATEWAY_ID: 'edge-1', GATEWAY_DB: 'state/gw.db' }, []);
    expect(settings.dbFile).toBe(resolve('state/gw.db'));
    expect(settings.dataDir).toBe(dirname(resolve('state/gw.db')));
  });

  it('lets flags override the environment', () => {
    const env = { GATEWAY_HOST: '127.0.0.1', GATEWAY_PORT: '8000', GATEWAY_DB: '/env/gw.db', GATEWAY_ID: 'from-env', GATEWAY_ALLOWED_TARGETS: '10.0.0.0/8', GATEWAY_TIME_ZONE: 'UTC', GATEWAY_LOG_LEVEL: 'info', GATEWAY_MAX_IN_FLIGHT: '10', GATEWAY_CONTROL_PLANE_TOKEN: 'cp-token-0123456789abcdef' };
    const settings = readSettings(env, [
      '--host', '0.0.0.0', '--port', '9100', '--db', '/flag/gw.db', '--gateway-id', 'from-flag', '--allowed-targets', '192.168.0.0/16',
      '--time-zone', 'America/New_York', '--log-level', 'warn', '--max-in-flight', '20', '--dns-servers', '1.1.1.1', '--api-token-file', '/flag/token',
      '--control-plane-url', 'https://cp.flag', '--database-url', 'postgres://flag@db.flag/probekit',
    ]);
    expect(settings).toMatchObject({
      host: '0.0.0.0', port: 9100, dbFile: '/flag/gw.db', dataDir: '/flag', gatewayId: 'from-flag', timeZone: 'America/New_York', logLevel: 'warn',
      maxInFlight: 20, dnsServers: ['1.1.1.1'], apiTokenFile: '/flag/token', controlPlaneUrl: 'https://cp.flag',
      database: { kind: 'postgres', url: 'postgres://flag@db.flag/probekit', replicaId: 'from-flag' },
    });
    expect(settings.allowlist.spec).toBe('192.168.0.0/16');
    expect(settings.allowlist.verdict('10.0.0.1')).toBe('denied');
    // --port=9200 form too; flags that are not given leave the environment alone.
    expect(readSettings(env, ['--port=9200'])).toMatchObject({ port: 9200, host: '127.0.0.1', gatewayId: 'from-env' });
  });

  it('refuses unknown flags and has no flag for the token itself', () => {
    expect(() => readSettings({ GATEWAY_ID: 'x' }, ['--colour', 'red'])).toThrow();
    expect(() => readSettings({ GATEWAY_ID: 'x' }, ['--api-token', 'secret'])).toThrow();
  });

  it.each([
    ['GATEWAY_PORT', 'abc'],
    ['GATEWAY_PORT', '65536'],
    ['GATEWAY_PORT', '-1'],
    ['GATEWAY_PORT', '80.5'],
    ['GATEWAY_TIME_ZONE', 'Mars/Olympus_Mons'],
    ['GATEWAY_TIME_ZONE', 'Europe/Berlinn'],
    ['GATEWAY_ID', '-edge'],
    ['GATEWAY_ID', 'edge 1'],
    ['GATEWAY_ID', 'edge/1'],
    ['GATEWAY_ID', 'e'.repeat(65)],
    ['GATEWAY_ALLOWED_TARGETS', '10.0.0.0/33'],
    ['GATEWAY_ALLOWED_TARGETS', 'http://example.com'],
    ['GATEWAY_ALLOWED_TARGETS', '10.0.0.0/'],
    ['GATEWAY_MAX_IN_FLIGHT', '0'],
    ['GATEWAY_MAX_IN_FLIGHT', '-5'],
    ['GATEWAY_MAX_IN_FLIGHT', '2000000'],
    ['GATEWAY_BODY_LIMIT_BYTES', '10'],
    ['GATEWAY_DATABASE_URL', 'mysql://db/probekit'],
    ['GATEWAY_DATABASE_URL', '/var/lib/probekit/gateway.db'],
    ['GATEWAY_DATABASE_URL', 'postgres://db/probekit?sslmode=sometimes'],
    ['GATEWAY_DATABASE_PASSWORD_FILE', '/nonexistent/pg-password'],
  ])('refuses %s=%j with a SettingsError naming the variable', (name, value) => {
    const env = { GATEWAY_ID: 'edge-1', [name]: value };
    let error: unknown;
    try {
      readSettings(env, []);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as Error).message).toContain(name);
  });

  describe('the database', () => {
    const passwordFile = (text: string) => {
      const file = join(mkdtempSync(join(tmpdir(), 'probekit-settings-')), 'pg-password');
      writeFileSync(file, text);
      return file;
    };

    it('is PostgreSQL when GATEWAY_DATABASE_URL is a postgres URL; the replica is the gateway', () => {
      const url = 'postgresql://probekit@db:5432/probekit?sslmode=verify-full';
      const settings = readSettings({ GATEWAY_ID: 'cp-1', GATEWAY_DATABASE_URL: url }, []);
      expect(settings.database).toEqual({ kind: 'postgres', url, replicaId: 'cp-1' });
      // The data folder (generated token, key) stays where it was.
      expect(settings).toMatchObject({ dbFile: resolve('./data/gateway.db'), dataDir: resolve('./data') });
    });

    it('is PostgreSQL when GATEWAY_DB holds a postgres URL, and the SQLite file otherwise', () => {
      const url = 'postgres://probekit@db/probekit';
      expect(readSettings({ GATEWAY_ID: 'cp-1', GATEWAY_DB: url }, [])).toMatchObject({
        database: { kind: 'postgres', url, replicaId: 'cp-1' }, dbFile: resolve('./data/gateway.db'),
      });
      expect(readSettings({ GATEWAY_ID: 'cp-1', GATEWAY_DB: 'state/gw.db' }, []).database).toEqual({ kind: 'sqlite', file: resolve('state/gw.db') });
    });

    it('reads the password from GATEWAY_DATABASE_PASSWORD_FILE (or the flag), trimmed', () => {
      const file = passwordFile(' s3cret:/@pw \n');
      const env = { GATEWAY_ID: 'cp-1', GATEWAY_DATABASE_URL: 'postgres://probekit@db/probekit', GATEWAY_DATABASE_PASSWORD_FILE: file };
      expect(readSettings(env, []).database).toMatchObject({ kind: 'postgres', password: 's3cret:/@pw' });
      const flagged = readSettings({ GATEWAY_ID: 'cp-1' }, ['--database-url', 'postgres://probekit@db/probekit', '--database-password-file', file]);
      expect(flagged.database).toMatchObject({ kind: 'postgres', password: 's3cret:/@pw' });
    });

    it('refuses an unreadable or empty password file, naming it', () => {
      const env = { GATEWAY_ID: 'cp-1', GATEWAY_DATABASE_URL: 'postgres://probekit@db/probekit' };
      expect(() => readSettings({ ...env, GATEWAY_DATABASE_PASSWORD_FILE: '/nonexistent/pg-password' }, [])).toThrow(/GATEWAY_DATABASE_PASSWORD_FILE \/nonexistent\/pg-password cannot be read/);
      const empty = passwordFile('\n');
      expect(() => readSettings({ ...env, GATEWAY_DATABASE_PASSWORD_FILE: empty }, [])).toThrow(`GATEWAY_DATABASE_PASSWORD_FILE ${empty} is empty`);
    });

    it('refuses a password file without a PostgreSQL URL, and two PostgreSQL URLs', () => {
      expect(() => readSettings({ GATEWAY_ID: 'cp-1', GATEWAY_DATABASE_PASSWORD_FILE: passwordFile('pw') }, [])).toThrow(SettingsError);
      expect(() => readSettings({ GATEWAY_ID: 'cp-1', GATEWAY_DB: 'postgres://a/x', GATEWAY_DATABASE_URL: 'postgres://b/y' }, [])).toThrow(/set only GATEWAY_DATABASE_URL/);
    });
  });

  it('takes several control-plane URLs, in order', () => {
    const settings = readSettings({ GATEWAY_ID: 'agent-1', GATEWAY_CONTROL_PLANE_URL: 'http://cp1:8080, https://cp2.example.com/,', GATEWAY_CONTROL_PLANE_TOKEN: 'cp-token-0123456789abcdef' }, []);
    expect(settings.controlPlaneUrls).toEqual(['http://cp1:8080', 'https://cp2.example.com']);
    expect(settings.controlPlaneUrl).toBe('http://cp1:8080, https://cp2.example.com');
    expect(() => readSettings({ GATEWAY_ID: 'agent-1', GATEWAY_CONTROL_PLANE_URL: 'http://cp1:8080,cp2:8080', GATEWAY_CONTROL_PLANE_TOKEN: 'cp-token-0123456789abcdef' }, []))
      .toThrow(/GATEWAY_CONTROL_PLANE_URL "cp2:8080"/);
  });

  it('refuses a bad value given as a flag, naming the variable', () => {
    expect(() => readSettings({ GATEWAY_ID: 'edge-1' }, ['--port', '99999'])).toThrow(SettingsError);
    expect(() => readSettings({ GATEWAY_ID: 'edge-1' }, ['--port', '99999'])).toThrow(/GATEWAY_PORT/);
    expect(() => readSettings({}, ['--gateway-id', '_bad'])).toThrow(/GATEWAY_ID/);
    expect(() => readSettings({ GATEWAY_ID: 'edge-1' }, ['--time-zone', 'Nowhere/Land'])).toThrow(/GATEWAY_TIME_ZONE/);
  });

  it('accepts the edges of each range', () => {
    expect(readSettings({ GATEWAY_ID: 'x', GATEWAY_PORT: '0' }, []).port).toBe(0);
    expect(readSettings({ GATEWAY_ID: 'x', GATEWAY_PORT: '65535' }, []).port).toBe(65535);
    expect(readSettings({ GATEWAY_ID: 'e'.repeat(64) }, []).gatewayId).toHaveLength(64);
    expect(readSettings({ GATEWAY_ID: 'x', GATEWAY_BODY_LIMIT_BYTES: '1024' }, []).bodyLimitBytes).toBe(1024);
    expect(readSettings({ GATEWAY_ID: 'x', GATEWAY_TIME_ZONE: 'UTC' }, []).timeZone).toBe('UTC');
  });
});
