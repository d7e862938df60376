// The gateway's own version, reported to /api/v1/gateways and OpenAPI.
import { readFileSync } from 'node:fs';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
export const GATEWAY_VERSION = manifest.version;
