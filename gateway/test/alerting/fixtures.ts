// Plain servers, probes and Grafana's provisioning schema for the alert-rule mapping tests.
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { AlertingConfig, AlertingProbe, AlertingServer, AlertRuleGroup } from '../../src/alerting/index.js';
import type { Threshold } from '../../src/schemas/threshold.js';

export function server(id: number, extra: Partial<AlertingServer> = {}): AlertingServer {
  return { id, name: `srv-${id}`, role: 'production', site: 'fra', gateways: ['gw-a'], thresholds: [], ...extra };
}

export function probe(id: number, serverId: number, extra: Partial<AlertingProbe> = {}): AlertingProbe {
  return { id, serverId, name: `probe-${id}`, intervalSeconds: 60, thresholds: [], ...extra };
}

export const availability = (extra: Partial<Threshold> = {}): Threshold => ({ kind: 'availability', level: 'critical', ...extra });
export const ratio = (extra: Partial<Threshold> = {}): Threshold => ({ kind: 'availabilityRatio', level: 'warning', value: 99, ...extra });
export const connect = (extra: Partial<Threshold> = {}): Threshold => ({ kind: 'connectTime', level: 'warning', value: 250, ...extra });

export const cert = (extra: Partial<Threshold> = {}): Threshold => ({ kind: 'certExpiry', level: 'warning', value: 30, ...extra });
/** A probe's fields for a TLS handshake right after the connect, and for an SMTP dialogue that upgrades with STARTTLS. */
export const TLS: Partial<AlertingProbe> = { tls: { verify: true } };
export const STARTTLS: Partial<AlertingProbe> = { dialogue: [{ expect: '^220 ' }, { send: 'STARTTLS\r\n' }, { expect: '^220 ' }, { startTls: true }] };

export const GRAFANA = { folderUid: 'probekit', datasourceUid: 'prometheus-uid', grafanaUrl: 'https://grafana.example/' };

/**
 * 10,000 probes in 50 servers, as a large installation has them: every server has the default availability rule,
 * every second one a connect-time warning of its own, and in every fifth server one probe overrides availability.
 */
export function largeConfig(): AlertingConfig & { overridingProbeIds: number[] } {
  const servers: AlertingServer[] = [];
  const probes: AlertingProbe[] = [];
  const overridingProbeIds: number[] = [];
  for (let s = 1; s <= 50; s++) {
    servers.push(server(s, { name: `server-${s}`, gateways: [`gw-${s % 3}`], thresholds: s % 2 === 0 ? [connect({ team: `team-${s}` })] : [] }));
    for (let p = 1; p <= 200; p++) {
      const id = s * 1000 + p;
      const overrides = s % 5 === 0 && p === 7;
      if (overrides) overridingProbeIds.push(id);
      probes.push(probe(id, s, { intervalSeconds: [30, 60, 300][p % 3]!, thresholds: overrides ? [availability({ for: '1m', team: 'vip' })] : [] }));
    }
  }
  return { servers, probes, overridingProbeIds };
}

const schema = JSON.parse(readFileSync(new URL('../../../../shared/schemas/grafana-alerting-provisioning.schema.json', import.meta.url), 'utf8'));
// ajv-formats is CommonJS; imported from ESM its plugin function is the module's `.default` (as in src/api/validation.ts).
const addFormats = (addFormatsModule as unknown as { default: (ajv: Ajv) => Ajv }).default;
const ajv = addFormats(new Ajv({ allErrors: true }));
ajv.addFormat('int64', true);
ajv.addFormat('duration', /^(\d+(ms|s|m|h|d|w|y))+$/);
ajv.addSchema(schema, 'grafana');
const validateGroup = ajv.getSchema('grafana#/definitions/AlertRuleGroup')!;

/** Grafana's schema problems of a rule group payload; none means Grafana's API would accept its shape. */
export function grafanaSchemaProblems(group: AlertRuleGroup): ErrorObject[] {
  return validateGroup(group) ? [] : [...(validateGroup.errors ?? [])];
}
