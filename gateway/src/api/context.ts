// What every API plugin is given: the config service, and who the caller is.
import type { FastifyRequest } from 'fastify';
import type { ConfigService } from '../domain/config-service.js';

export interface ApiOptions {
  service: ConfigService;
}

/**
 * The user an edit is recorded under: Grafana's proxy sends X-Grafana-User for the signed-in user;
 * otherwise the body's owner, otherwise "api".
 */
export function editor(request: FastifyRequest, owner?: string | null): string {
  const header = request.headers['x-grafana-user'];
  const fromGrafana = (Array.isArray(header) ? header[0] : header)?.trim();
  if (fromGrafana) return fromGrafana.slice(0, 128);
  return owner?.trim() || 'api';
}
