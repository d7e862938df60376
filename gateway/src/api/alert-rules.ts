// /api/v1/export/prometheus-rules: the stored thresholds as a Prometheus alerting-rules file, from the same mapping as the plugin's Grafana rules.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { stringify as stringifyYaml } from 'yaml';
import { Duration, ErrorResponses, RULE } from '../schemas/common.js';
import { parseDurationMs, prometheusRuleGroups } from '../alerting/index.js';
import { Team } from '../schemas/threshold.js';
import type { ApiOptions } from './context.js';

const PrometheusRulesQuery = Type.Object(
  {
    grafanaUrl: Type.Optional(Type.String({
      maxLength: 2048, pattern: '^https?://\\S+$', [RULE]: 'be an http(s) URL',
      description: "Grafana's base URL: each alert then links to its probe's page in the app",
    })),
    scrapeInterval: Type.Optional(Type.Union([Duration], {
      description: 'How often Prometheus scrapes the gateways (default 1m): the gateway-down rule waits three missed scrapes',
    })),
    gatewayTeam: Type.Optional(Type.Union([Team], {
      description: 'The team label of the gateway-health alerts (TcpProbeGatewayDown, TcpProbeGatewaySaturated): who runs the gateways',
    })),
  },
  { additionalProperties: false },
);

export const alertRuleRoutes: FastifyPluginAsyncTypebox<ApiOptions> = async (app, { service }) => {
  app.get('/export/prometheus-rules', {
    schema: {
      tags: ['alerting'],
      summary: 'The alert rules of every stored threshold (and the built-in defaults) as a Prometheus rules file (YAML)',
      querystring: PrometheusRulesQuery,
      response: { 200: Type.String({ description: 'A Prometheus rule file: groups of alerting rules' }), ...ErrorResponses },
    },
  }, async (request, reply) => {
    const { grafanaUrl, scrapeInterval, gatewayTeam } = request.query;
    const { store } = service;
    const [servers, probes, teams] = await Promise.all([store.servers.all(), store.probes.all(), store.gateways.teams()]);
    const rules = prometheusRuleGroups(
      {
        servers,
        probes,
        // The locations' teams, also of gateways not seen yet: a path alert (TcpProbePathDown) goes to the team of
        // the gateway that sees the probe down.
        gateways: [...teams].map(([id, team]) => ({ id, team })),
      },
      { grafanaUrl, gatewayTeam, scrapeIntervalSeconds: scrapeInterval === undefined ? undefined : parseDurationMs(scrapeInterval) / 1000 },
    );
    // The text is the response; the string schema documents it, the JSON serializer would quote it.
    return reply.type('application/yaml; charset=utf-8').serializer((payload) => payload as string).send(stringifyYaml(rules, { lineWidth: 0 }));
  });
};
