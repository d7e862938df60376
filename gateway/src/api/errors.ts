// One error shape for every 4xx/5xx: statusCode, error, message naming the field, and the list of problems.
import type { FastifyError, FastifyInstance } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { ErrorBody, FieldProblem } from '../schemas/common.js';
import { ApiError } from '../domain/errors.js';
import { describeValidationErrors } from './validation.js';
import type { ErrorObject } from 'ajv';

export function errorBody(statusCode: number, message: string, problems: FieldProblem[] = []): ErrorBody {
  return {
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message,
    ...(problems.length > 0 ? { field: problems[0]!.field, problems } : {}),
  };
}

/** What a 503 tells clients to wait before trying again. */
const RETRY_AFTER_SECONDS = 2;

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) {
      // 503: the configuration database does not answer (StoreUnavailableError); it usually comes back soon.
      if (error.statusCode === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return reply.status(error.statusCode).send(errorBody(error.statusCode, error.message, error.problems));
    }
    if (error.validation) {
      const problems = describeValidationErrors(error.validation as ErrorObject[]);
      const where = error.validationContext === 'body' ? '' : `${error.validationContext ?? 'request'}: `;
      return reply.status(400).send(errorBody(400, `${where}${problems[0]!.field} ${problems[0]!.message}`, problems));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const message = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? `the body is larger than the ${request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit} bytes this gateway accepts`
        : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? `content type ${request.headers['content-type'] ?? '(none)'} is not accepted; send application/json`
          : error.message;
      return reply.status(status).send(errorBody(status, message));
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send(errorBody(500, 'internal error; the gateway log has the details'));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(errorBody(404, `no route ${request.method} ${request.url.split('?')[0]}`)));
}
