// provisioning/grafana: every file parses as Grafana reads it, the app is the plugin that grafana-plugin builds and
// gets the settings it knows, the dashboards provider finds the dashboards, and the policy tree routes each team to
// a contact point that exists.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appPluginJson, compose, hostPath, PROMETHEUS_UID, readText, readYaml, repoPath } from './stack.js';

const grafana = compose().services.grafana!;
const dir = repoPath('provisioning', 'grafana');
const yamlFiles = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.ya?ml$/.test(f)).sort();
const datasources = readYaml('provisioning', 'grafana', 'datasources', 'probekit.yaml');
const plugins = readYaml('provisioning', 'grafana', 'plugins', 'probekit.yaml');
const contactPoints = readYaml('provisioning', 'grafana', 'alerting', 'contact-points.yaml');
const policies = readYaml('provisioning', 'grafana', 'alerting', 'notification-policies.yaml');

describe('provisioning/grafana', () => {
  it('has the four kinds Grafana reads, each as apiVersion 1 YAML', () => {
    expect(yamlFiles).toEqual([
      'alerting/contact-points.yaml', 'alerting/notification-policies.yaml', 'dashboards/probekit.yaml',
      'datasources/probekit.yaml', 'plugins/probekit.yaml',
    ]);
    for (const file of yamlFiles) expect(readYaml('provisioning', 'grafana', file).apiVersion, file).toBe(1);
  });

  describe('datasources', () => {
    const byType = (type: string) => datasources.datasources.filter((ds: any) => ds.type === type);

    it('provision Prometheus with the fixed uid the dashboard and the app use, as the default', () => {
      const [prometheus, ...others] = byType('prometheus');
      expect(others).toEqual([]);
      expect(prometheus).toMatchObject({ uid: PROMETHEUS_UID, url: 'http://prometheus:9090', access: 'proxy', isDefault: true });
      // $__rate_interval is right only when Grafana knows the scrape interval.
      const scrapeInterval = readYaml('provisioning', 'prometheus', 'prometheus.yml').global.scrape_interval;
      expect(prometheus.jsonData.timeInterval).toBe(scrapeInterval);
    });

    it('provision the stack\'s Alertmanager as a Prometheus-implementation Alertmanager', () => {
      const [alertmanager, ...others] = byType('alertmanager');
      expect(others).toEqual([]);
      expect(alertmanager).toMatchObject({ url: 'http://alertmanager:9093', jsonData: { implementation: 'prometheus', handleGrafanaManagedAlerts: false } });
      expect(byType('prometheus')[0].jsonData.alertmanagerUid).toBe(alertmanager.uid);
    });

    it('have unique uids and names', () => {
      const uids = datasources.datasources.map((ds: any) => ds.uid);
      expect(new Set(uids).size).toBe(uids.length);
      const names = datasources.datasources.map((ds: any) => ds.name);
      expect(new Set(names).size).toBe(names.length);
    });
  });

  describe('plugins', () => {
    const [app, ...others] = plugins.apps;

    it('enable exactly the app whose id grafana-plugin/src/plugin.json has', () => {
      expect(others).toEqual([]);
      const pluginJson = appPluginJson();
      expect(pluginJson.type).toBe('app');
      expect(app.type).toBe(pluginJson.id);
      expect(app.disabled).toBe(false);
    });

    it('point the app at the gateway and the provisioned Prometheus', () => {
      // From Grafana's environment: the stack's gateway unless .env names the ha profile's proxy.
      expect(app.jsonData).toMatchObject({ gatewayUrl: '$PROBEKIT_GATEWAY_URL', prometheusUid: PROMETHEUS_UID });
      expect(grafana.environment!.PROBEKIT_GATEWAY_URL).toBe('${PROBEKIT_GATEWAY_URL:-http://gateway:8080}');
      expect(datasources.datasources.map((ds: any) => ds.uid)).toContain(app.jsonData.prometheusUid);
    });

    it('set only settings the app knows (AppJsonData and AppSecureJsonData in grafana-plugin/src/types.ts)', () => {
      const types = repoPath('grafana-plugin', 'src', 'types.ts');
      if (!existsSync(types)) return; // the plugin declares its settings there once it has them
      const keysOf = (name: string) => {
        const body = new RegExp(`interface ${name} \\{([\\s\\S]*?)\\n\\}`).exec(readText('grafana-plugin', 'src', 'types.ts'))?.[1] ?? '';
        return [...body.matchAll(/^\s*(\w+)\??:/gm)].map((m) => m[1]);
      };
      expect(keysOf('AppJsonData')).toEqual(expect.arrayContaining(Object.keys(app.jsonData)));
      expect(keysOf('AppSecureJsonData')).toEqual(expect.arrayContaining(Object.keys(app.secureJsonData)));
    });

    it('give the app its token from the mounted secret, not from a committed value', () => {
      expect(app.secureJsonData.gatewayToken).toBe('$__file{/run/secrets/gateway_api_token}');
    });
  });

  describe('dashboards', () => {
    const { providers } = readYaml('provisioning', 'grafana', 'dashboards', 'probekit.yaml');

    it('load every dashboard JSON in provisioning/grafana/dashboards/probekit into one folder', () => {
      expect(providers).toHaveLength(1);
      const [provider] = providers;
      expect(provider).toMatchObject({ type: 'file', folderUid: 'probekit' });
      const source = hostPath(grafana, provider.options.path);
      expect(source).toBe(repoPath('provisioning', 'grafana', 'dashboards', 'probekit'));
      const dashboards = readdirSync(source!).filter((f) => f.endsWith('.json'));
      expect(dashboards).toContain('tcp-probes-overview.json');
      const uids = dashboards.map((f) => JSON.parse(readText('provisioning', 'grafana', 'dashboards', 'probekit', f)).uid);
      expect(new Set(uids).size).toBe(uids.length);
    });

    it('keep the dashboard JSON out of the folder Grafana reads provider YAML from', () => {
      expect(readdirSync(join(dir, 'dashboards')).filter((f) => f.endsWith('.json'))).toEqual([]);
    });
  });

  describe('alerting', () => {
    const points = contactPoints.contactPoints;
    const names: string[] = points.map((cp: any) => cp.name);
    const [root, ...otherTrees] = policies.policies;

    it('has contact points with unique names and receiver uids, and no secrets', () => {
      expect(new Set(names).size).toBe(names.length);
      const uids = points.flatMap((cp: any) => cp.receivers.map((r: any) => r.uid));
      expect(new Set(uids).size).toBe(uids.length);
      for (const receiver of points.flatMap((cp: any) => cp.receivers)) {
        expect(receiver.type).toBe('webhook');
        expect(Object.keys(receiver.settings).sort()).toEqual(['httpMethod', 'url']);
      }
    });

    it('routes by the team label to each team\'s contact point, everything else to the default', () => {
      expect(otherTrees).toEqual([]);
      expect(names).toContain(root.receiver);
      expect(root.object_matchers ?? root.matchers).toBeUndefined();
      const routes = Object.fromEntries(root.routes.map((route: any) => {
        expect(route.object_matchers).toHaveLength(1);
        const [label, op, value] = route.object_matchers[0];
        expect([label, op]).toEqual(['team', '=']);
        return [value, route.receiver];
      }));
      expect(routes).toEqual({ db: 'team-db', network: 'team-network' });
      for (const receiver of Object.values(routes)) expect(names).toContain(receiver);
      // Every contact point is reachable from the tree.
      expect(names.sort()).toEqual([root.receiver, ...Object.values(routes)].sort());
    });

    it('posts each contact point to the alert inbox under its own name', () => {
      for (const cp of points) {
        for (const receiver of cp.receivers) expect(receiver.settings.url).toBe(`http://alert-inbox:9099/grafana/${cp.name}`);
      }
    });
  });
});
