// Debian's Chromium as every browser test here drives it: where it is, and the flags this machine needs.
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** No sandbox (tests run as root), no GPU, and no network beyond loopback: no QUIC, sync, updates or background fetches. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Fails loudly, with the install command, when Chromium is not there: a browser test is never skipped. */
export function requireChromium(what: string): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: ${what} runs in Debian's Chromium. Install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`);
  }
}
