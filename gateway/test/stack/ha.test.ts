// docker-compose.yml's ha profile holds together without Docker: it leaves the default stack as it was; PostgreSQL,
// the two control-plane replicas, the proxy and the agent name each other by the services and ports that exist; the
// replicas get the settings the gateway reads and share every secret; the proxy fails over between exactly the
// replicas; Prometheus finds them; and no secret is committed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSecretKey } from '../../src/secrets/key-file.js';
import {
  compose, envFileKeys, hostPath, readText, readYaml, secretName, serviceAddress, type ComposeService,
} from './stack.js';

type Service = ComposeService & {
  profiles?: string[];
  healthcheck?: { test: string[] };
};

const file = compose();
const services = file.services as Record<string, Service>;
const env = envFileKeys(readText('.env.example'));
const HA = ['agent', 'cp', 'cp1', 'cp2', 'postgres'];
const REPLICAS = ['cp1', 'cp2'];
const service = (name: string) => services[name]!;
const secretOf = (path: string | undefined) => secretName(path ?? '');

/** An nginx config without comments, as its directives (`name args`) in order, blocks flattened. */
function nginxDirectives(text: string): string[] {
  return text.split('\n').map((line) => line.replace(/#.*$/, '').trim()).filter(Boolean).join(' ')
    .split(/[;{}]/).map((d) => d.trim()).filter(Boolean);
}

const nginxService = service('cp');
const nginxConfPath = hostPath(nginxService, '/etc/nginx/nginx.conf');
const nginxConf = readFileSync(nginxConfPath!, 'utf8');
const directives = nginxDirectives(nginxConf);

describe('the ha profile', () => {
  it('adds its services only under the profile, so `docker compose up` starts what it always did', () => {
    const withProfile = Object.entries(services).filter(([, s]) => s.profiles).map(([name]) => name).sort();
    expect(withProfile).toEqual(HA);
    for (const name of HA) expect(service(name).profiles, name).toEqual(['ha']);
    // A default service that waited for a ha one would not start without the profile.
    for (const [name, s] of Object.entries(services).filter(([, s]) => !s.profiles)) {
      const needs = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      for (const dependency of needs) expect(HA, `${name} depends on ${dependency}`).not.toContain(dependency);
    }
  });

  it('runs the official PostgreSQL image on a named volume, its password from a secret, healthy when it accepts connections', () => {
    const postgres = service('postgres');
    expect(postgres.image).toMatch(/^postgres:\d+\.\d+$/);
    const data = postgres.volumes!.find((v) => v.endsWith(':/var/lib/postgresql/data'))!;
    expect(file.volumes).toHaveProperty(data.split(':')[0]!);
    expect(secretOf(postgres.environment!.POSTGRES_PASSWORD_FILE)).toBe('postgres_password');
    expect(postgres.secrets).toContain('postgres_password');
    expect(postgres.environment).not.toHaveProperty('POSTGRES_PASSWORD');
    expect(postgres.healthcheck!.test).toEqual(['CMD', 'pg_isready', '-U', postgres.environment!.POSTGRES_USER, '-d', postgres.environment!.POSTGRES_DB]);
  });

  it('starts two replicas of the gateway image on that database, each its own gateway, ready only on /readyz', () => {
    const postgres = service('postgres');
    for (const name of REPLICAS) {
      const replica = service(name);
      expect(replica.image).toBe(service('gateway').image);
      expect(replica.build).toEqual(service('gateway').build);
      expect(replica.environment!.GATEWAY_ID).toBe(name);
      expect(serviceAddress(replica.environment!.GATEWAY_ADVERTISE_URL!)).toEqual({ service: name, port: 8080 });
      const url = new URL(replica.environment!.GATEWAY_DATABASE_URL!);
      expect(url.protocol).toBe('postgres:');
      expect({ host: url.hostname, port: url.port, user: url.username, password: url.password, database: url.pathname.slice(1) })
        .toEqual({ host: 'postgres', port: '5432', user: postgres.environment!.POSTGRES_USER, password: '', database: postgres.environment!.POSTGRES_DB });
      expect(url.searchParams.get('sslmode')).toBe('disable');
      expect(secretOf(replica.environment!.GATEWAY_DATABASE_PASSWORD_FILE)).toBe('postgres_password');
      expect(replica.healthcheck!.test.join(' ')).toMatch(/http:\/\/127\.0\.0\.1:8080\/readyz/);
      expect(replica.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    }
  });

  it('gives both replicas the same API token, secret key and agent token, each a secret the service mounts', () => {
    const files = ['GATEWAY_API_TOKEN_FILE', 'GATEWAY_SECRET_KEY_FILE', 'GATEWAY_CONTROL_PLANE_TOKEN_FILE', 'GATEWAY_DATABASE_PASSWORD_FILE'];
    const [first, second] = REPLICAS.map(service);
    for (const variable of files) {
      const secret = secretOf(first!.environment![variable]);
      expect(secret, variable).not.toBeNull();
      expect(secretOf(second!.environment![variable]), variable).toBe(secret);
      for (const replica of [first!, second!]) expect(replica.secrets).toContain(secret);
      expect(file.secrets[secret!]?.environment, `${secret} comes from .env`).toBeDefined();
    }
    expect(secretOf(first!.environment!.GATEWAY_API_TOKEN_FILE)).toBe('gateway_api_token');
    // Apart from the name and address, the replicas are configured alike.
    const rest = (name: string) => {
      const { GATEWAY_ID: _id, GATEWAY_ADVERTISE_URL: _url, ...others } = service(name).environment!;
      return others;
    };
    expect(rest('cp2')).toEqual(rest('cp1'));
  });

  it('sets only variables the gateway reads', () => {
    const settings = readText('gateway', 'src', 'settings.ts');
    for (const name of [...REPLICAS, 'agent']) {
      for (const variable of Object.keys(service(name).environment!)) expect(settings, `${name}: ${variable}`).toContain(`'${variable}'`);
    }
  });

  it('puts the proxy in front of exactly the two replicas, with passive failover, where the app is told to look', () => {
    const servers = directives.filter((d) => d.startsWith('server ') && !d.startsWith('server {')).map((d) => d.split(/\s+/)[1]);
    expect(servers.sort()).toEqual(REPLICAS.map((name) => {
      const { service: host, port } = serviceAddress(service(name).environment!.GATEWAY_ADVERTISE_URL!);
      return `${host}:${port}`;
    }).sort());
    const upstream = /upstream\s+(\w+)\s*\{/.exec(nginxConf)![1];
    expect(directives).toContain(`proxy_pass http://${upstream}`);
    const retry = directives.find((d) => d.startsWith('proxy_next_upstream '))!.split(/\s+/).slice(1);
    expect(retry).toEqual(expect.arrayContaining(['error', 'timeout', 'http_503']));
    // A POST sent to a replica that then died may have been committed: retrying it could create twice.
    expect(retry).not.toContain('non_idempotent');
    // Docker's DNS, re-asked: a recreated replica with a new address is found again.
    expect(directives).toContain('resolver 127.0.0.11 valid=5s ipv6=off');
    const listen = Number(directives.find((d) => d.startsWith('listen '))!.split(/\s+/)[1]);
    expect(nginxService.ports).toEqual([`127.0.0.1:8081:${listen}`]);
    expect(nginxService.image).toMatch(/^nginx:\d+\.\d+\.\d+-alpine$/);
    expect(nginxService.healthcheck!.test.join(' ')).toContain(`http://127.0.0.1:${listen}/healthz`);
    for (const name of REPLICAS) expect(nginxService.depends_on).toHaveProperty(name, { condition: 'service_healthy' });
    // The README's and .env.example's value for the ha profile is this proxy.
    expect(readText('.env.example')).toMatch(/http:\/\/cp:8080 with the ha/);
    expect(readText('README.md')).toContain('PROBEKIT_GATEWAY_URL=http://cp:8080');
    expect(serviceAddress('http://cp:8080')).toEqual({ service: 'cp', port: listen });
  });

  it('has a proxy config whose blocks and statements are closed (nginx -t is not at hand)', () => {
    const code = nginxConf.split('\n').map((line) => line.replace(/#.*$/, '')).join('\n');
    expect(code.split('{').length).toBe(code.split('}').length);
    for (const line of code.split('\n').map((l) => l.trim()).filter(Boolean)) {
      expect(line, 'every line ends a statement or opens/closes a block').toMatch(/[;{}]$/);
    }
    for (const block of ['events', 'http', 'server', 'location /']) expect(code).toMatch(new RegExp(`^\\s*${block} \\{`, 'm'));
  });

  it('runs an agent that fails over between the replicas, signing with their agent token', () => {
    const agent = service('agent');
    const urls = agent.environment!.GATEWAY_CONTROL_PLANE_URL!.split(',');
    expect(urls).toEqual(REPLICAS.map((name) => service(name).environment!.GATEWAY_ADVERTISE_URL));
    expect(secretOf(agent.environment!.GATEWAY_CONTROL_PLANE_TOKEN_FILE)).toBe(secretOf(service('cp1').environment!.GATEWAY_CONTROL_PLANE_TOKEN_FILE));
    expect(agent.environment).not.toHaveProperty('GATEWAY_DATABASE_URL');
    expect(file.volumes).toHaveProperty(agent.volumes![0]!.split(':')[0]!);
    expect(readText('README.md')).toContain('GATEWAY_CONTROL_PLANE_URL=http://cp1:8080,http://cp2:8080');
  });

  it('commits no secret: .env.example\'s ha placeholders are values the gateway and PostgreSQL setup refuse', () => {
    for (const name of ['postgres_password', 'gateway_secret_key', 'gateway_agent_token']) {
      const variable = file.secrets[name]!.environment!;
      expect(env[variable], variable).toBe('replace-me');
    }
    const dir = mkdtempSync(join(tmpdir(), 'probekit-ha-key-'));
    try {
      const keyFile = join(dir, 'gateway_secret_key');
      writeFileSync(keyFile, env.GATEWAY_SECRET_KEY!);
      expect(() => loadSecretKey({ secretKeyFile: keyFile, dataDir: dir })).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(env.GATEWAY_AGENT_TOKEN!.length).toBeLessThan(16);
    const text = readText('docker-compose.yml');
    expect(text).not.toMatch(/PASSWORD\s*:\s*(?!\$)\S{6,}/);
    expect(text).not.toMatch(/postgres:\/\/[^@\s]*:[^@\s]*@/);
  });

  it('lets Prometheus find the replicas and the agent by their service names, on the port they listen on', () => {
    const job = readYaml('provisioning', 'prometheus', 'prometheus.yml').scrape_configs.find((j: any) => j.job_name === 'probekit-ha');
    const [dns, ...others] = job.dns_sd_configs;
    expect(others).toEqual([]);
    expect([...dns.names].sort()).toEqual([...REPLICAS, 'agent'].sort());
    for (const name of dns.names) {
      expect(serviceAddress(service(name).environment!.GATEWAY_ADVERTISE_URL!)).toEqual({ service: name, port: dns.port });
    }
    // The agent's series carry its GATEWAY_ID; `up` gets the same through the relabelling.
    const agentRule = job.relabel_configs.find((r: any) => r.regex === 'agent');
    expect(agentRule.replacement).toBe(service('agent').environment!.GATEWAY_ID);
  });
});
