// /api/v1/export and /api/v1/import: the whole configuration as one JSON or YAML document.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { ErrorResponses } from '../schemas/common.js';
import { ConfigDocument, ExportQuery, ImportQuery, ImportSummary } from '../schemas/config-document.js';
import { exportConfig, importConfig } from '../domain/config-document.js';
import { ApiError } from '../domain/errors.js';
import { editor, type ApiOptions } from './context.js';

const tags = ['configuration'];
const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];

export const configRoutes: FastifyPluginAsyncTypebox<ApiOptions> = async (app, { service }) => {
  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseYaml(body as string, { maxAliasCount: 100 }));
    } catch (error) {
      done(new ApiError(400, `the body is not valid YAML: ${(error as Error).message}`), undefined);
    }
  });

  app.get('/export', {
    schema: {
      tags,
      summary: 'Export the whole configuration (JSON, or YAML with ?format=yaml or Accept: application/yaml)',
      querystring: ExportQuery,
      response: { 200: ConfigDocument, ...ErrorResponses },
    },
  }, async (request, reply) => {
    const document = await exportConfig(service);
    const wantsYaml = request.query.format === 'yaml' || (request.query.format === undefined && /yaml/.test(request.headers.accept ?? ''));
    if (!wantsYaml) return document;
    // The response schema describes the document; YAML is the same document in another notation, so skip the JSON serializer.
    return reply.type('application/yaml; charset=utf-8').serializer((payload) => payload as string).send(stringifyYaml(document) as never);
  });

  app.post('/import', {
    schema: {
      tags,
      summary: 'Import a configuration document (JSON or YAML); all of it is applied, or nothing',
      querystring: ImportQuery,
      body: ConfigDocument,
      response: { 200: ImportSummary, ...ErrorResponses },
    },
  }, async (request) => importConfig(service, request.body, {
    mode: request.query.mode ?? 'merge',
    dryRun: request.query.dryRun ?? false,
    user: editor(request),
  }));
};
