// docker-compose.yml holds together: what it mounts exists (or is built), what it interpolates is in .env.example,
// its images are pinned, the token travels as a secret, and the names and ports the configs use are its services'.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  appPluginJson, compose, composeText, envFileKeys, GRID_PANEL_ID, hostPath, interpolatedVariables, mounts, pluginJsons,
  readJson, readText, readYaml, REPO, repoPath, secretName, serviceAddress,
} from './stack.js';

const file = compose();
/** The default stack: what `docker compose up` starts (the ha profile's services are in ha.test.ts). */
const services = Object.fromEntries(Object.entries(file.services).filter(([, service]) => !(service as { profiles?: string[] }).profiles));
const env = envFileKeys(readText('.env.example'));

/**
 * A provisioning value as Grafana reads it: `$NAME` from Grafana's environment, which compose fills from .env or the
 * default it gives (`${NAME:-default}`); .env.example's value stands for .env.
 */
function grafanaExpands(value: string): string {
  return value.replace(/\$\{?(\w+)\}?/g, (_, name: string) => {
    const spec = services.grafana!.environment![name];
    if (spec === undefined) throw new Error(`Grafana's environment has no ${name}`);
    const fromCompose = /^\$\{(\w+):-(.*)\}$/.exec(spec);
    return fromCompose ? (env[fromCompose[1]!] || fromCompose[2]!) : spec;
  });
}

/** Host paths the stack mounts that a build makes rather than git holds, and the npm script that makes each. */
const BUILD_OUTPUTS: Record<string, { workspace: string; script: string }> = {
  'grafana-plugin/dist': { workspace: 'grafana-plugin', script: 'build' },
};

describe('docker-compose.yml', () => {
  it('has the stack: gateway, Prometheus, Alertmanager, Grafana and the alert inbox', () => {
    expect(Object.keys(services).sort()).toEqual(['alert-inbox', 'alertmanager', 'gateway', 'grafana', 'prometheus']);
  });

  it('mounts only paths the repository has, or that its build makes', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const mount of mounts(service)) {
        if (mount.named) {
          expect(file.volumes, `${name} mounts volume ${mount.source}, which is not declared`).toHaveProperty(mount.source);
          continue;
        }
        const output = BUILD_OUTPUTS[mount.source];
        if (output) {
          // Built, not committed: the workspace's build script must write it, and the root build must run that script.
          const pkg = readJson('grafana-plugin', 'package.json');
          expect(pkg.scripts?.[output.script], `${output.workspace}/package.json has no "${output.script}" script to make ${mount.source}`).toBeTruthy();
          expect(readText('grafana-plugin', 'webpack.config.mjs')).toMatch(/path\.join\(root, 'dist'\)/);
          expect(readJson('package.json').scripts.build).toMatch(/--workspaces/);
          expect(readText('.gitignore')).toMatch(/^dist\/$/m);
          continue;
        }
        expect(existsSync(join(REPO, mount.source)), `${name} mounts ./${mount.source}, which does not exist`).toBe(true);
        expect(mount.readOnly, `${name} should mount ./${mount.source} read-only`).toBe(true);
      }
    }
  });

  it('interpolates only variables that .env.example lists, and .env.example lists nothing it does not use', () => {
    const used = new Set([
      ...interpolatedVariables(composeText()),
      ...Object.values(file.secrets).map((secret) => secret.environment).filter((name): name is string => !!name),
    ]);
    expect([...used].filter((name) => !(name in env)), 'missing from .env.example').toEqual([]);
    expect(Object.keys(env).filter((name) => !used.has(name)), 'in .env.example but unused').toEqual([]);
  });

  it('commits no secret: .env.example holds placeholders the gateway refuses', () => {
    // The gateway refuses a token under 16 characters, so a forgotten placeholder fails loudly instead of protecting nothing.
    expect(env.GATEWAY_API_TOKEN!.length).toBeLessThan(16);
    expect(readText('.env.example')).toMatch(/openssl rand -hex 32/);
    expect(readText('.gitignore')).toMatch(/^\.env$/m);
    expect(composeText()).not.toMatch(/GATEWAY_API_TOKEN\s*[:=]\s*\S{16,}/);
  });

  it('pins every image to a version', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build) continue;
      expect(service.image, `${name} image`).toMatch(/^[\w./-]+:v?\d+\.\d+\.\d+[\w.-]*$/);
    }
    // PostgreSQL numbers its releases major.minor.
    for (const [name, service] of Object.entries(file.services)) {
      if (!service.build) expect(service.image, `${name} image`).toMatch(/^[\w./-]+:v?\d+\.\d+(\.\d+)?[\w.-]*$/);
    }
  });

  it('runs a Grafana the app supports (plugin.json grafanaDependency)', () => {
    const version = /^grafana\/grafana:(\d+)\.(\d+)\.(\d+)$/.exec(services.grafana!.image!);
    expect(version, services.grafana!.image).not.toBeNull();
    const [, major, minor, patch] = version!.map(Number);
    const min = /^>=(\d+)\.(\d+)\.(\d+)$/.exec(appPluginJson().dependencies.grafanaDependency);
    expect(min, 'grafanaDependency is a >= range').not.toBeNull();
    const [, minMajor, minMinor, minPatch] = min!.map(Number);
    expect(major! * 1e6 + minor! * 1e3 + patch!).toBeGreaterThanOrEqual(minMajor! * 1e6 + minMinor! * 1e3 + minPatch!);
    // 12.3 at least, whatever the plugin says: the stack's provisioning is written for it.
    expect(major! * 1e6 + minor! * 1e3).toBeGreaterThanOrEqual(12_003_000);
  });

  it('loads the built plugin into Grafana under its id, and lets unsigned load for the app and its panel only', () => {
    const grafana = services.grafana!;
    const app = appPluginJson();
    const pluginMount = mounts(grafana).find((m) => m.source === 'grafana-plugin/dist');
    expect(pluginMount?.target).toBe(`/var/lib/grafana/plugins/${app.id}`);

    const allowed = grafana.environment!.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS!.split(',');
    // Grafana checks a nested plugin against the list by its own id, so the panel needs its entry too.
    const ours = new Set([...pluginJsons().map((plugin) => plugin.id), GRID_PANEL_ID]);
    expect(allowed.sort()).toEqual([...ours].sort());
    expect(allowed).toContain(app.id);
    expect(grafana.environment!.GF_DATAPROXY_SEND_USER_HEADER).toBe('true');
    expect(grafana.environment!.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
    expect(grafana.environment!.GF_SECURITY_ADMIN_PASSWORD__FILE).toBe('/run/secrets/grafana_admin_password');
  });

  it('mounts the provisioning folders where Grafana, Prometheus and Alertmanager read them', () => {
    const grafanaProvisioning = hostPath(services.grafana!, '/etc/grafana/provisioning/plugins');
    expect(grafanaProvisioning).toBe(repoPath('provisioning', 'grafana', 'plugins'));
    const configFlag = (service: string) => services[service]!.command!.find((arg) => arg.startsWith('--config.file='))!.split('=')[1]!;
    expect(hostPath(services.prometheus!, configFlag('prometheus'))).toBe(repoPath('provisioning', 'prometheus', 'prometheus.yml'));
    expect(hostPath(services.alertmanager!, configFlag('alertmanager'))).toBe(repoPath('provisioning', 'alertmanager', 'alertmanager.yml'));
    const inboxScript = services['alert-inbox']!.command!.at(-1)!;
    expect(statSync(hostPath(services['alert-inbox']!, inboxScript)!).isFile()).toBe(true);
  });

  it('keeps each service\'s data in a named volume', () => {
    const dataTargets: Record<string, string> = { gateway: '/data', prometheus: '/prometheus', alertmanager: '/alertmanager', grafana: '/var/lib/grafana' };
    for (const [name, target] of Object.entries(dataTargets)) {
      expect(mounts(services[name]!).find((m) => m.target === target)?.named, `${name} ${target}`).toBe(true);
    }
    const storage = (service: string, flag: string) => services[service]!.command!.find((arg) => arg.startsWith(`${flag}=`))!.split('=')[1];
    expect(storage('prometheus', '--storage.tsdb.path')).toBe('/prometheus');
    expect(storage('alertmanager', '--storage.path')).toBe('/alertmanager');
  });

  it('hands the API token to the gateway, Prometheus and Grafana as one secret from .env, never as plain environment', () => {
    expect(file.secrets.gateway_api_token).toEqual({ environment: 'GATEWAY_API_TOKEN' });
    const gateway = services.gateway!;
    expect(secretName(gateway.environment!.GATEWAY_API_TOKEN_FILE!)).toBe('gateway_api_token');

    const prometheusYml = readYaml('provisioning', 'prometheus', 'prometheus.yml');
    const credentials: string[] = prometheusYml.scrape_configs.flatMap((job: any) => (job.http_sd_configs ?? []).map((sd: any) => sd.authorization.credentials_file));
    expect(credentials.length).toBeGreaterThan(0);
    for (const path of credentials) expect(secretName(path)).toBe('gateway_api_token');

    const plugins = readYaml('provisioning', 'grafana', 'plugins', 'probekit.yaml');
    const fileRef = /^\$__file\{(.+)\}$/.exec(plugins.apps[0].secureJsonData.gatewayToken);
    expect(fileRef, 'the app reads its token from the secret file').not.toBeNull();
    expect(secretName(fileRef![1]!)).toBe('gateway_api_token');

    for (const name of ['gateway', 'prometheus', 'grafana']) expect(services[name]!.secrets, name).toContain('gateway_api_token');
    for (const name of ['alertmanager', 'alert-inbox']) expect(services[name]!.secrets ?? [], name).not.toContain('gateway_api_token');
    for (const service of Object.values(services)) {
      expect(Object.keys(service.environment ?? {})).not.toContain('GATEWAY_API_TOKEN');
      expect(Object.keys(service.environment ?? {})).not.toContain('GF_SECURITY_ADMIN_PASSWORD');
    }
  });

  it('builds the gateway from gateway/Dockerfile with the repository root as context', () => {
    const { build } = services.gateway!;
    expect(build).toEqual({ context: '.', dockerfile: 'gateway/Dockerfile' });
    expect(existsSync(repoPath('.dockerignore'))).toBe(true);
  });

  it('gives the same address for the gateway everywhere: its service, its port, Prometheus and the app', () => {
    const gateway = services.gateway!;
    const advertised = serviceAddress(gateway.environment!.GATEWAY_ADVERTISE_URL!);
    expect(advertised).toEqual({ service: 'gateway', port: 8080 });
    expect(readText('gateway', 'Dockerfile')).toMatch(/GATEWAY_PORT=8080/);
    expect(gateway.ports).toContain('127.0.0.1:8080:8080');

    const prometheusYml = readYaml('provisioning', 'prometheus', 'prometheus.yml');
    const sdUrls: string[] = prometheusYml.scrape_configs.flatMap((job: any) => (job.http_sd_configs ?? []).map((sd: any) => sd.url));
    for (const url of sdUrls) {
      expect(serviceAddress(url)).toEqual(advertised);
      expect(new URL(url).pathname).toBe('/api/v1/sd/prometheus');
    }
    const app = readYaml('provisioning', 'grafana', 'plugins', 'probekit.yaml').apps[0];
    expect(serviceAddress(grafanaExpands(app.jsonData.gatewayUrl))).toEqual(advertised);
  });

  it('names only compose services, on the ports they listen on, in every URL of the provisioning', () => {
    const listening: Record<string, number> = {
      gateway: 8080, prometheus: 9090, alertmanager: 9093, grafana: 3000,
      'alert-inbox': Number(services['alert-inbox']!.environment!.ALERT_INBOX_PORT),
    };
    const urls = [
      ...readYaml('provisioning', 'grafana', 'datasources', 'probekit.yaml').datasources.map((ds: any) => ds.url),
      ...readYaml('provisioning', 'grafana', 'alerting', 'contact-points.yaml').contactPoints
        .flatMap((cp: any) => cp.receivers.map((r: any) => r.settings.url)),
      ...readYaml('provisioning', 'alertmanager', 'alertmanager.yml').receivers
        .flatMap((r: any) => (r.webhook_configs ?? []).map((w: any) => w.url)),
    ];
    const prometheusYml = readYaml('provisioning', 'prometheus', 'prometheus.yml');
    const hostPorts = [
      ...prometheusYml.alerting.alertmanagers.flatMap((am: any) => am.static_configs.flatMap((sc: any) => sc.targets)),
      ...prometheusYml.scrape_configs.flatMap((job: any) => (job.static_configs ?? []).flatMap((sc: any) => sc.targets))
        .filter((target: string) => !target.startsWith('localhost:')),
    ];
    expect(urls.length).toBeGreaterThan(5);
    for (const address of [...urls.map(serviceAddress), ...hostPorts.map((hp: string) => serviceAddress(`http://${hp}`))]) {
      expect(listening[address.service], `${address.service} is not a service`).toBeDefined();
      expect(address.port, address.service).toBe(listening[address.service]);
    }
    for (const [name, port] of Object.entries({ grafana: 3000, prometheus: 9090, alertmanager: 9093 })) {
      expect(services[name]!.ports!.some((p) => p.endsWith(`:${port}:${port}`) || p === `${port}:${port}`), name).toBe(true);
    }
  });

  it('publishes the services without a login of their own on loopback only', () => {
    for (const name of ['gateway', 'prometheus', 'alertmanager']) {
      for (const port of services[name]!.ports!) expect(port, name).toMatch(/^127\.0\.0\.1:/);
    }
    expect(services['alert-inbox']!.ports).toBeUndefined();
  });

  it('runs the alert inbox on the image the gateway runs on (one pull), as a user', () => {
    const runtimeFrom = [...readText('gateway', 'Dockerfile').matchAll(/^FROM (\S+)/gm)].at(-1)![1];
    expect(services['alert-inbox']!.image).toBe(runtimeFrom);
    expect(services['alert-inbox']!.user).toBe('node');
  });
});
