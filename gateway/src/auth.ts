// The API token: where it comes from, and the bearer check on /api/v1/*.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { errorBody } from './api/errors.js';

export interface ApiToken {
  token: string;
  /** Where it came from, for the start-up log: never the token itself. */
  source: 'environment' | 'file' | 'generated';
  file?: string;
}

/**
 * GATEWAY_API_TOKEN wins, then GATEWAY_API_TOKEN_FILE; with neither, a token is generated once into the data folder
 * (mode 0600) and reused on later starts.
 */
export function loadApiToken(settings: { apiToken?: string | undefined; apiTokenFile?: string | undefined; dataDir: string }): ApiToken {
  if (settings.apiToken) return { token: settings.apiToken, source: 'environment' };
  if (settings.apiTokenFile) {
    let text: string;
    try {
      text = readFileSync(settings.apiTokenFile, 'utf8');
    } catch (error) {
      throw new Error(`GATEWAY_API_TOKEN_FILE ${settings.apiTokenFile} cannot be read: ${(error as Error).message}`);
    }
    const token = text.trim();
    if (token.length < 16) throw new Error(`GATEWAY_API_TOKEN_FILE ${settings.apiTokenFile} must hold a token of at least 16 characters`);
    return { token, source: 'file', file: settings.apiTokenFile };
  }
  const file = join(settings.dataDir, 'api-token');
  try {
    const token = readFileSync(file, 'utf8').trim();
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    if (token.length >= 16) return { token, source: 'generated', file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(settings.dataDir, { recursive: true });
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // the umask may have narrowed it differently; be exact
  return { token, source: 'generated', file };
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * The path the token rule is decided on: the matched route's pattern (the router decodes percent-escapes, so the raw
 * URL "/%61pi/v1/servers" reaches "/api/v1/servers"), else the decoded request path.
 */
function guardedPath(route: string | undefined, url: string): string {
  if (route !== undefined) return route;
  const path = url.split('?')[0]!;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Agents sign their requests instead (see agents/signature.ts). */
export const AGENT_API_PREFIX = '/api/v1/agent/';

/** Requires `Authorization: Bearer <token>` on every route under /api/ but the agent API; compares digests in constant time. */
export function requireBearerToken(app: FastifyInstance, token: string): void {
  const expected = digest(token);
  app.addHook('onRequest', async (request, reply) => {
    const path = guardedPath(request.routeOptions.url, request.url);
    if (!path.startsWith('/api/') || path.startsWith(AGENT_API_PREFIX)) return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      reply.header('WWW-Authenticate', 'Bearer realm="probekit-gateway"');
      const message = match ? 'the bearer token is not valid' : 'send Authorization: Bearer <token> (see GATEWAY_API_TOKEN)';
      return reply.status(401).send(errorBody(401, message));
    }
  });
}
