// What the stack's Grafana is provisioned with (provisioning/grafana/): the app's settings, its Prometheus data
// source and the contact points, read from those files so that the preview serves what that Grafana would.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import pluginJson from '../src/plugin.json' with { type: 'json' };
import type { AppJsonData } from '../src/types';

const PROVISIONING_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'provisioning', 'grafana');

const read = (path: string) => parse(readFileSync(join(PROVISIONING_DIR, path), 'utf8'));

/** The app's jsonData as plugins/probekit.yaml provisions it (its secrets are the preview's own). */
export function provisionedAppJsonData(): AppJsonData {
  const { apps } = read('plugins/probekit.yaml') as { apps: Array<{ type: string; jsonData?: AppJsonData }> };
  const app = apps.find((candidate) => candidate.type === pluginJson.id);
  if (!app) throw new Error(`provisioning/grafana/plugins/probekit.yaml provisions no ${pluginJson.id}`);
  return { ...app.jsonData };
}

export interface ProvisionedDataSource {
  uid: string;
  name: string;
  type: string;
  jsonData: Record<string, unknown>;
}

/** The data source with `uid` from datasources/probekit.yaml. */
export function provisionedDataSource(uid: string): ProvisionedDataSource {
  const { datasources } = read('datasources/probekit.yaml') as { datasources: ProvisionedDataSource[] };
  const found = datasources.find((candidate) => candidate.uid === uid);
  if (!found) throw new Error(`provisioning/grafana/datasources/probekit.yaml has no data source with uid ${uid}`);
  return { uid: found.uid, name: found.name, type: found.type, jsonData: found.jsonData ?? {} };
}

/** Contact points of alerting/contact-points.yaml as the provisioning API lists them: one entry per integration. */
export function provisionedContactPoints(): Array<{ uid: string; name: string; type: string; settings: Record<string, unknown> }> {
  const { contactPoints } = read('alerting/contact-points.yaml') as {
    contactPoints: Array<{ name: string; receivers: Array<{ uid: string; type: string; settings?: Record<string, unknown> }> }>;
  };
  return contactPoints.flatMap((point) => point.receivers.map((receiver) => ({ uid: receiver.uid, name: point.name, type: receiver.type, settings: receiver.settings ?? {} })));
}
