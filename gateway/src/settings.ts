// Gateway settings from the environment (flags mirror them), validated, with defaults.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseAllowlist, type TargetAllowlist } from './domain/targets.js';
import { isValidTimeZone } from './probing/windows.js';
import type { StoreLocation } from './store/index.js';

export interface Settings {
  host: string;
  port: number;
  /** The SQLite file; with PostgreSQL, still where dataDir comes from. */
  dbFile: string;
  /** The SQLite file, or the PostgreSQL database replicas share (GATEWAY_DATABASE_URL, or GATEWAY_DB holding a URL). */
  database: StoreLocation;
  /** Folder for the database and a generated token. */
  dataDir: string;
  apiToken: string | undefined;
  apiTokenFile: string | undefined;
  /** The key shared-account material is encrypted with; undefined: secret.key in dataDir, generated when absent. */
  secretKeyFile: string | undefined;
  gatewayId: string;
  allowlist: TargetAllowlist;
  /** DNS servers (ip or ip:port) for probes; empty uses the system resolver. */
  dnsServers: string[];
  /** Zone of probe time windows when a probe has no schedule. */
  timeZone: string;
  /** Checks running at once; more wait in a queue. null: sized to the machine at start-up (probing/in-flight-cap.ts). */
  maxInFlight: number | null;
  bodyLimitBytes: number;
  logLevel: string;
  /** Set on an agent: the control-plane replicas it takes its configuration from, tried in order. */
  controlPlaneUrls: string[];
  /** The same, joined with ", " for messages; undefined when this gateway is no agent. */
  controlPlaneUrl: string | undefined;
  /** The shared agent token: an agent signs with it, the control plane accepts agents that do. */
  controlPlaneToken: string | undefined;
  /** Where Prometheus and the control plane reach this gateway; by default the address it listens on. */
  advertiseUrl: string | undefined;
}

type Env = Record<string, string | undefined>;

const FLAGS = {
  host: 'GATEWAY_HOST',
  port: 'GATEWAY_PORT',
  db: 'GATEWAY_DB',
  'database-url': 'GATEWAY_DATABASE_URL',
  'database-password-file': 'GATEWAY_DATABASE_PASSWORD_FILE',
  'api-token-file': 'GATEWAY_API_TOKEN_FILE',
  'secret-key-file': 'GATEWAY_SECRET_KEY_FILE',
  'gateway-id': 'GATEWAY_ID',
  'allowed-targets': 'GATEWAY_ALLOWED_TARGETS',
  'dns-servers': 'GATEWAY_DNS_SERVERS',
  'time-zone': 'GATEWAY_TIME_ZONE',
  'max-in-flight': 'GATEWAY_MAX_IN_FLIGHT',
  'log-level': 'GATEWAY_LOG_LEVEL',
  'control-plane-url': 'GATEWAY_CONTROL_PLANE_URL',
  'control-plane-token-file': 'GATEWAY_CONTROL_PLANE_TOKEN_FILE',
  'advertise-url': 'GATEWAY_ADVERTISE_URL',
} as const;

export class SettingsError extends Error {}

/** Flags (`--port 9000`) win over the environment; the token itself is only read from the environment or a file. */
export function readSettings(env: Env = process.env, argv: string[] = process.argv.slice(2)): Settings {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.keys(FLAGS).map((flag) => [flag, { type: 'string' as const }])),
    strict: true,
  });
  const merged: Env = { ...env };
  for (const [flag, name] of Object.entries(FLAGS)) {
    const value = values[flag];
    if (typeof value === 'string') merged[name] = value;
  }
  const get = (name: string) => {
    const value = merged[name]?.trim();
    return value === '' ? undefined : value;
  };

  const dbText = get('GATEWAY_DB');
  const dbIsUrl = dbText !== undefined && isPostgresUrl(dbText);
  const dbFile = resolve(dbIsUrl ? './data/gateway.db' : dbText ?? './data/gateway.db');
  if (get('GATEWAY_CONTROL_PLANE_URL') !== undefined && get('GATEWAY_CONTROL_PLANE_TOKEN') === undefined && get('GATEWAY_CONTROL_PLANE_TOKEN_FILE') === undefined) {
    throw new SettingsError('GATEWAY_CONTROL_PLANE_URL is set: set GATEWAY_CONTROL_PLANE_TOKEN (or _FILE) too, the token the control plane accepts agents with');
  }
  const gatewayId = get('GATEWAY_ID') ?? hostname();
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(gatewayId)) {
    throw new SettingsError(`GATEWAY_ID "${gatewayId}" must be 1-64 letters, digits, _ . or - and start with a letter or digit`);
  }
  const database = databaseLocation(get, dbIsUrl ? dbText : undefined, dbFile, gatewayId);
  const controlPlaneUrls = (get('GATEWAY_CONTROL_PLANE_URL') ?? '').split(',').map((entry) => entry.trim()).filter(Boolean)
    .map((entry) => url(entry, 'GATEWAY_CONTROL_PLANE_URL')!);
  const timeZone = get('GATEWAY_TIME_ZONE') ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!isValidTimeZone(timeZone)) throw new SettingsError(`GATEWAY_TIME_ZONE "${timeZone}" is not an IANA time zone`);
  let allowlist: TargetAllowlist;
  try {
    allowlist = parseAllowlist(get('GATEWAY_ALLOWED_TARGETS'));
  } catch (error) {
    throw new SettingsError((error as Error).message);
  }
  return {
    host: get('GATEWAY_HOST') ?? '127.0.0.1',
    port: integer(get('GATEWAY_PORT'), 'GATEWAY_PORT', 8080, 0, 65535),
    dbFile,
    database,
    dataDir: dirname(dbFile),
    apiToken: get('GATEWAY_API_TOKEN'),
    apiTokenFile: get('GATEWAY_API_TOKEN_FILE'),
    secretKeyFile: get('GATEWAY_SECRET_KEY_FILE'),
    gatewayId,
    allowlist,
    dnsServers: (get('GATEWAY_DNS_SERVERS') ?? '').split(/[\s,]+/).filter(Boolean),
    timeZone,
    maxInFlight: get('GATEWAY_MAX_IN_FLIGHT') === undefined ? null : integer(get('GATEWAY_MAX_IN_FLIGHT'), 'GATEWAY_MAX_IN_FLIGHT', 0, 1, 1_000_000),
    bodyLimitBytes: integer(get('GATEWAY_BODY_LIMIT_BYTES'), 'GATEWAY_BODY_LIMIT_BYTES', 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    logLevel: get('GATEWAY_LOG_LEVEL') ?? 'info',
    controlPlaneUrls,
    controlPlaneUrl: controlPlaneUrls.length > 0 ? controlPlaneUrls.join(', ') : undefined,
    controlPlaneToken: secret(get('GATEWAY_CONTROL_PLANE_TOKEN'), get('GATEWAY_CONTROL_PLANE_TOKEN_FILE'), 'GATEWAY_CONTROL_PLANE_TOKEN'),
    advertiseUrl: url(get('GATEWAY_ADVERTISE_URL'), 'GATEWAY_ADVERTISE_URL'),
  };
}

function isPostgresUrl(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text);
}

const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'];

/** PostgreSQL when GATEWAY_DATABASE_URL (or GATEWAY_DB) holds a postgres:// URL; otherwise the SQLite file. */
function databaseLocation(get: (name: string) => string | undefined, dbUrl: string | undefined, dbFile: string, gatewayId: string): StoreLocation {
  const variable = get('GATEWAY_DATABASE_URL') !== undefined ? 'GATEWAY_DATABASE_URL' : 'GATEWAY_DB';
  const text = get('GATEWAY_DATABASE_URL') ?? dbUrl;
  const passwordFile = get('GATEWAY_DATABASE_PASSWORD_FILE');
  if (text === undefined) {
    if (passwordFile !== undefined) {
      throw new SettingsError('GATEWAY_DATABASE_PASSWORD_FILE is set but the database is a SQLite file: set GATEWAY_DATABASE_URL to a postgres:// URL too');
    }
    return { kind: 'sqlite', file: dbFile };
  }
  if (dbUrl !== undefined && variable === 'GATEWAY_DATABASE_URL') {
    throw new SettingsError('GATEWAY_DB and GATEWAY_DATABASE_URL both name a PostgreSQL database: set only GATEWAY_DATABASE_URL');
  }
  if (!isPostgresUrl(text)) {
    throw new SettingsError(`${variable} must be a postgres:// or postgresql:// URL such as postgres://probekit@db:5432/probekit?sslmode=verify-full`);
  }
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new SettingsError(`${variable} is not a valid URL (percent-encode special characters in the user name and password)`);
  }
  const sslMode = parsed.searchParams.get('sslmode');
  if (sslMode !== null && !SSL_MODES.includes(sslMode)) {
    throw new SettingsError(`${variable} has sslmode=${sslMode}: use one of ${SSL_MODES.join(', ')}`);
  }
  let password: string | undefined;
  if (passwordFile !== undefined) {
    try {
      password = readFileSync(passwordFile, 'utf8').trim();
    } catch (error) {
      throw new SettingsError(`GATEWAY_DATABASE_PASSWORD_FILE ${passwordFile} cannot be read: ${(error as Error).message}`);
    }
    if (password === '') throw new SettingsError(`GATEWAY_DATABASE_PASSWORD_FILE ${passwordFile} is empty`);
  }
  return { kind: 'postgres', url: text, ...(password !== undefined ? { password } : {}), replicaId: gatewayId };
}

function url(text: string | undefined, name: string): string | undefined {
  if (text === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new SettingsError(`${name} "${text}" is not a URL such as http://gateway-1:8080`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new SettingsError(`${name} "${text}" must be an http:// or https:// URL`);
  return parsed.origin;
}

/** A secret from the variable itself or from the file named by NAME_FILE; at least 16 characters. */
function secret(value: string | undefined, file: string | undefined, name: string): string | undefined {
  let token = value;
  if (token === undefined && file !== undefined) {
    try {
      token = readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new SettingsError(`${name}_FILE ${file} cannot be read: ${(error as Error).message}`);
    }
  }
  if (token !== undefined && token.length < 16) throw new SettingsError(`${name} must be at least 16 characters`);
  return token;
}

function integer(text: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SettingsError(`${name} must be a whole number between ${min} and ${max}, not "${text}"`);
  }
  return value;
}
