// Runs a throwaway PostgreSQL cluster (Debian's binaries) in a temp dir on a random loopback port, for store tests.
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './prometheus.js';

const run = promisify(execFile);

export interface TestPostgres {
  port: number;
  user: string;
  password: string;
  /** A file holding the password (as GATEWAY_DATABASE_PASSWORD_FILE wants it). */
  passwordFile: string;
  /** With `{ ssl: true }`: the server's self-signed certificate, to give as `sslrootcert`. */
  certFile?: string;
  /** A fresh empty database; returns its URL with the password. */
  createDatabase(): Promise<string>;
  /** postgres://user[:password]@127.0.0.1:port/database (the password unless withPassword is false). */
  urlFor(database: string, withPassword?: boolean): string;
  /** Stops the cluster (fast shutdown: open connections are cut) and keeps its data. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  dispose(): Promise<void>;
}

export interface StartPostgresOptions {
  /**
   * Serve TLS with a self-signed certificate and accept TCP connections only over it (hostssl), so a client with
   * sslmode=disable is refused.
   */
  ssl?: boolean;
  /** Keep fsync and full-page writes on, as a production server has them: for benchmarks beside SQLite's FULL sync. */
  durable?: boolean;
}

/** The newest /usr/lib/postgresql/<version>/bin, or PG_BIN. */
export function postgresBinDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) {
    throw new Error(`no PostgreSQL under ${root}: these tests run a real cluster. Install it with: apt-get install -y postgresql`);
  }
  return join(root, versions[0]!, 'bin');
}

// PostgreSQL refuses to run as root: as root, run its tools as the `postgres` user, who must own the temp dir.
const asRoot = process.getuid?.() === 0;

function owner(): { uid: number; gid: number } | undefined {
  if (!asRoot) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

function command(bin: string, args: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

const USER = 'probekit';
let databaseCounter = 0;

export async function startPostgres(options: StartPostgresOptions = {}): Promise<TestPostgres> {
  const bin = postgresBinDir();
  const ids = owner();
  // Short path: the Unix socket path (dir + /.s.PGSQL.<port>) must stay under ~107 bytes.
  const dir = mkdtempSync(join(tmpdir(), 'pk-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  const passwordFile = join(dir, 'password');
  const password = `pw${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  writeFileSync(passwordFile, `${password}\n`);
  if (ids) chownSync(dir, ids.uid, ids.gid);
  if (ids) chownSync(passwordFile, ids.uid, ids.gid);

  const tool = async (name: string, args: string[]) => {
    const [file, argv] = command(join(bin, name), args);
    try {
      return (await run(file, argv, { timeout: 60_000 })).stdout;
    } catch (error) {
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
      const { stderr } = error as { stderr?: string };
      throw new Error(`${name} ${args.join(' ')} failed: ${stderr ?? String(error)}\n${log}`);
    }
  };

  await tool('initdb', [
    '-D', dataDir, '-U', USER, `--pwfile=${passwordFile}`, '-E', 'UTF8', '--locale=C.UTF-8',
    '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync', '--no-instructions',
  ]);

  let certFile: string | undefined;
  if (options.ssl) {
    certFile = join(dir, 'server.crt');
    const keyFile = join(dir, 'server.key');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', certFile,
    ], { stdio: 'ignore' });
    if (ids) chownSync(certFile, ids.uid, ids.gid);
    if (ids) chownSync(keyFile, ids.uid, ids.gid);
    execFileSync('chmod', ['600', keyFile]);
  }

  const port = await freePort();
  // The admin connection (CREATE DATABASE) comes over the socket, trusted; TCP clients authenticate with scram.
  const hostType = options.ssl ? 'hostssl' : 'host';
  const hba = [
    'local all all trust',
    `${hostType} all all 127.0.0.1/32 scram-sha-256`,
  ];
  writeFileAs(join(dataDir, 'pg_hba.conf'), `${hba.join('\n')}\n`, ids);
  const settings = [
    `port = ${port}`,
    `listen_addresses = '127.0.0.1'`,
    `unix_socket_directories = '${dir}'`,
    // Test clusters are thrown away: skipping fsync and full-page writes trades crash safety nobody needs here for
    // speed. synchronous_commit stays on, as in production: the store switches it off for results writes itself.
    ...(options.durable ? [] : ['fsync = off', 'full_page_writes = off']),
    'max_connections = 200',
    'shared_buffers = 32MB',
    ...(options.ssl ? ['ssl = on', `ssl_cert_file = '${certFile}'`, `ssl_key_file = '${join(dir, 'server.key')}'`] : []),
  ];
  const conf = join(dataDir, 'postgresql.conf');
  writeFileAs(conf, `${readFileSync(conf, 'utf8')}\n${settings.join('\n')}\n`, ids);

  let running = false;
  const start = async () => {
    await tool('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', 'start']);
    running = true;
  };
  const stop = async () => {
    await tool('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
    running = false;
  };
  // A test process that dies without dispose() must not leave a postgres behind.
  const stopOnExit = () => {
    if (!running) return;
    const [file, argv] = command(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    try { execFileSync(file, argv, { stdio: 'ignore' }); } catch { /* already gone */ }
  };
  process.once('exit', stopOnExit);

  await start();

  const urlFor = (database: string, withPassword = true) =>
    `postgres://${USER}${withPassword ? `:${password}` : ''}@127.0.0.1:${port}/${database}`;

  return {
    port,
    user: USER,
    password,
    passwordFile,
    certFile,
    urlFor,
    async createDatabase() {
      const name = `test_${process.pid}_${++databaseCounter}_${Math.random().toString(36).slice(2, 8)}`;
      const admin = new pg.Client({ host: dir, port, user: USER, database: 'postgres' });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return urlFor(name);
    },
    stop,
    start,
    async dispose() {
      process.removeListener('exit', stopOnExit);
      if (running) await stop().catch(stopOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function writeFileAs(path: string, text: string, ids: { uid: number; gid: number } | undefined): void {
  writeFileSync(path, text);
  if (ids) chownSync(path, ids.uid, ids.gid);
}
