// /api/v1/agent/*: the control plane's side of agents: signed heartbeats and long-polled configuration snapshots.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createHash } from 'node:crypto';
import { SignatureVerifier } from '../agents/signature.js';
import type { AgentSnapshot } from '../agents/agent-snapshot.js';
import { agentKey } from '../secrets/cipher.js';
import type { SharedAccountService } from '../secrets/shared-account-service.js';
import type { ProbeEngine } from '../engine/probe-engine.js';
import { HANDOVER_MS } from '../engine/probe-engine.js';
import { ApiError } from '../domain/errors.js';
import { ConfigPollQuery, Heartbeat } from '../schemas/agent.js';
import { errorBody } from './errors.js';
import type { ApiOptions } from './context.js';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: string;
    agentId?: string;
  }
}

export interface AgentApiOptions extends ApiOptions {
  engine: ProbeEngine;
  /** The shared agent token (GATEWAY_CONTROL_PLANE_TOKEN on the control plane). */
  agentToken: string;
  /** The material of the accounts an agent's servers name goes to it sealed under a key derived for that agent. */
  accounts?: SharedAccountService;
}

/** How often nonces too old to matter are deleted. */
const NONCE_SWEEP_MS = 60_000;

/** Moves older than this are no longer interesting to anyone: both sides have switched. */
const MOVE_MEMORY_MS = HANDOVER_MS + 60_000;

export function snapshotTag(snapshot: object): string {
  return `"${createHash('sha256').update(JSON.stringify(snapshot)).digest('base64url').slice(0, 27)}"`;
}

export const agentRoutes: FastifyPluginAsyncTypebox<AgentApiOptions> = async (app, { service, engine, agentToken, accounts }) => {
  // Nonces live in the shared database: a request replayed to another replica is refused there too.
  const verifier = new SignatureVerifier(agentToken, service.store.nonces);
  const forgetter = setInterval(() => {
    verifier.forgetExpired().catch((error: unknown) => app.log.warn({ err: error }, 'old agent nonces could not be forgotten; trying again in a minute'));
  }, NONCE_SWEEP_MS).unref();
  app.addHook('onClose', async () => clearInterval(forgetter));
  // Wakes long polls on every committed change (other replicas' too); each poll then checks whether its own snapshot
  // changed. The count tells a poll that a change came while it was reading, before it started waiting.
  const waiters = new Set<() => void>();
  let changes = 0;
  const unsubscribe = service.onChange(() => {
    changes++;
    for (const wake of waiters) wake();
    waiters.clear();
  });
  // Long polls would hold the shutdown up to their wait; end them as closing starts.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    unsubscribe();
    for (const wake of waiters) wake();
  });

  // The signature covers the exact bytes sent, so keep them.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    request.rawBody = body as string;
    try {
      done(null, (body as string) === '' ? {} : JSON.parse(body as string));
    } catch {
      done(new ApiError(400, 'the body is not valid JSON'), undefined);
    }
  });
  app.addHook('preHandler', async (request, reply) => {
    const verdict = await verifier.verify(request.headers, request.method, request.url, request.rawBody ?? '');
    if (!verdict.ok) return reply.status(401).send(errorBody(401, verdict.reason));
    request.agentId = verdict.gateway;
  });

  /** The snapshot, and its tag: over the configuration and the accounts' stored state, not their freshly sealed copies. */
  const snapshotOf = async (gateway: string): Promise<{ snapshot: AgentSnapshot; tag: string }> => {
    const config = await service.store.snapshots.snapshotFor(gateway, new Date(Date.now() - MOVE_MEMORY_MS).toISOString());
    if (!accounts) return { snapshot: config, tag: snapshotTag(config) };
    const names = config.servers.map((s) => s.sharedAccount).filter((name): name is string => name !== null);
    const sealed = await accounts.forAgent(names, agentKey(agentToken, gateway));
    return { snapshot: { ...config, accounts: sealed.accounts }, tag: snapshotTag({ ...config, accountsStamp: sealed.stamp }) };
  };

  app.get('/agent/config', {
    schema: { tags: ['agents'], summary: "The configuration an agent runs (long-poll with If-None-Match and ?wait=seconds)", querystring: ConfigPollQuery },
  }, async (request, reply) => {
    const gateway = request.agentId!;
    const known = request.headers['if-none-match'];
    const deadline = Date.now() + (request.query.wait ?? 0) * 1000;
    for (;;) {
      const changesBefore = changes;
      const { snapshot, tag } = await snapshotOf(gateway);
      if (tag !== known) return reply.header('etag', tag).send(snapshot);
      const remaining = deadline - Date.now();
      if (remaining <= 0 || closing || request.raw.destroyed) return reply.status(304).header('etag', tag).send();
      if (changes !== changesBefore) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => { waiters.delete(wake); resolve(); }, remaining);
        const wake = () => { clearTimeout(timer); resolve(); };
        waiters.add(wake);
      });
    }
  });

  app.post('/agent/heartbeat', {
    schema: { tags: ['agents'], summary: 'An agent says it is alive and reports its latest results', body: Heartbeat },
  }, async (request) => {
    const gateway = request.agentId!;
    await service.store.gateways.touch({ id: gateway, version: request.body.version, address: request.body.address }, new Date().toISOString());
    return { accepted: await engine.acceptReports(gateway, request.body.reports) };
  });
};
