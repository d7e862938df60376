// /api/v1/shared-accounts: named credential sets servers refer to; secrets go in, never come out.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponses, IdParams, Page } from '../schemas/common.js';
import { SharedAccount, SharedAccountInput, SharedAccountQuery } from '../schemas/shared-account.js';
import type { SharedAccountService } from '../secrets/shared-account-service.js';
import { editor, type ApiOptions } from './context.js';

const tags = ['shared accounts'];

export interface SharedAccountApiOptions extends ApiOptions {
  accounts: SharedAccountService;
}

export const sharedAccountRoutes: FastifyPluginAsyncTypebox<SharedAccountApiOptions> = async (app, { service, accounts }) => {
  app.get('/shared-accounts', {
    schema: { tags, summary: 'List shared accounts (without their secrets)', querystring: SharedAccountQuery, response: { 200: Page(SharedAccount), ...ErrorResponses } },
  }, async (request) => service.store.sharedAccounts.list(request.query));

  app.post('/shared-accounts', {
    schema: { tags, summary: 'Create a shared account', body: SharedAccountInput, response: { 201: SharedAccount, ...ErrorResponses } },
  }, async (request, reply) => reply.status(201).send(await accounts.create(request.body, editor(request))));

  app.get('/shared-accounts/:id', {
    schema: { tags, summary: 'Get a shared account (without its secrets)', params: IdParams, response: { 200: SharedAccount, ...ErrorResponses } },
  }, async (request) => service.store.sharedAccounts.get(request.params.id));

  app.put('/shared-accounts/:id', {
    schema: {
      tags,
      summary: 'Replace a shared account; a secret left out is kept, null clears it (servers follow a rename)',
      params: IdParams,
      body: SharedAccountInput,
      response: { 200: SharedAccount, ...ErrorResponses },
    },
  }, async (request) => accounts.replace(request.params.id, request.body, editor(request)));

  app.delete('/shared-accounts/:id', {
    schema: { tags, summary: 'Delete a shared account no server uses', params: IdParams, response: { 204: { type: 'null' }, ...ErrorResponses } },
  }, async (request, reply) => {
    await accounts.delete(request.params.id);
    return reply.status(204).send(null);
  });
};
