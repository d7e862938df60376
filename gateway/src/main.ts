#!/usr/bin/env node
// Start-up: read settings, start the gateway, stop cleanly on SIGTERM/SIGINT.
import { readSettings, SettingsError } from './settings.js';
import { startGateway } from './start.js';
import type { ConfigStore } from './store/index.js';

/** A setting the user must fix: said in one line, exit code 2, no stack. */
function exitIfSettingsError(error: unknown): void {
  if (error instanceof SettingsError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`probekit-gateway: ${(error as Error).message}\n`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  let settings;
  let gateway;
  try {
    settings = readSettings();
    // Start-up checks settings that only make sense together with the store (e.g. what PostgreSQL replicas share).
    gateway = await startGateway(settings, { level: settings.logLevel });
  } catch (error) {
    exitIfSettingsError(error);
    throw error;
  }
  const log = gateway.app.log;
  if (gateway.token.source === 'generated') {
    log.info({ tokenFile: gateway.token.file }, `API token generated; read it from ${gateway.token.file} (mode 0600)`);
  } else {
    log.info({ tokenSource: gateway.token.source }, 'API token loaded');
  }
  log.info({ gateway: settings.gatewayId, db: describeStore(gateway.service.store, settings.dbFile), url: gateway.url }, 'gateway started');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    const forced = setTimeout(() => {
      log.error('shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000).unref();
    await gateway.close();
    clearTimeout(forced);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/** Where the configuration lives, for the log: the SQLite file, or that it is PostgreSQL (never the URL's password). */
function describeStore(store: ConfigStore, dbFile: string): string {
  return store.dialect === 'sqlite' ? dbFile : 'PostgreSQL (GATEWAY_DATABASE_URL)';
}

main().catch((error: unknown) => {
  process.stderr.write(`probekit-gateway: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
