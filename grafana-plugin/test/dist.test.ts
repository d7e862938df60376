// The built plugin as Grafana loads it: dist/module.js an AMD module whose shared libraries come from Grafana,
// dist/plugin.json stamped with version and date, and the files Grafana's catalog shows. Run `npm run build` first.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** What Grafana provides to plugins and the plugin must not bundle. */
const ALLOWED_EXTERNALS = [
  'react',
  'react-dom',
  'react-router',
  'react-router-dom',
  'rxjs',
  'rxjs/operators',
  '@emotion/css',
  '@grafana/data',
  '@grafana/data/unstable',
  '@grafana/runtime',
  '@grafana/runtime/unstable',
  '@grafana/ui',
  '@grafana/ui/unstable',
  '@grafana/schema',
  '@grafana/i18n',
];
/** Imported by the plugin's own code, so they must show up as AMD dependencies rather than bundled copies. */
const USED_EXTERNALS = ['react', 'react-router-dom', 'rxjs', '@emotion/css', '@grafana/data', '@grafana/runtime', '@grafana/ui'];

beforeAll(() => {
  if (!existsSync(join(dist, 'module.js'))) {
    throw new Error('dist/ is missing: run `npm run build -w @probekit/grafana-plugin` (or `npm run build` at the root) first');
  }
});

describe('dist/module.js', () => {
  const source = () => readFileSync(join(dist, 'module.js'), 'utf8');
  /** The module without the license banner webpack puts in front. */
  const code = () => source().replace(/^(\s*\/\*[\s\S]*?\*\/)*\s*/, '');

  test('is one AMD define() whose dependencies are only libraries Grafana shares, including those the code uses', () => {
    const match = /^define\((\[[^\]]*\]),\s*(function|\()/.exec(code());
    expect(match, 'module.js must start with define([...deps], factory)').not.toBeNull();
    const deps = JSON.parse(match![1]!) as string[];
    expect(deps.filter((dep) => !ALLOWED_EXTERNALS.includes(dep))).toEqual([]);
    expect(deps).toEqual(expect.arrayContaining(USED_EXTERNALS));
    expect(new Set(deps).size).toBe(deps.length);
  });

  test('bundles no copy of React or of Grafana packages', () => {
    expect(source()).not.toContain('Minified React error');
    expect(source()).not.toMatch(/node_modules\/@grafana\//);
  });

  test('has a source map', () => {
    expect(existsSync(join(dist, 'module.js.map'))).toBe(true);
  });
});

describe('dist/plugin.json', () => {
  const plugin = () => JSON.parse(readFileSync(join(dist, 'plugin.json'), 'utf8'));

  test('is the app probekit-tcpprobe-app for Grafana 12.3 and later', () => {
    expect(plugin()).toMatchObject({ type: 'app', id: 'probekit-tcpprobe-app', dependencies: { grafanaDependency: '>=12.3.0' } });
  });

  test('has the package version and the build date filled in', () => {
    const { info } = plugin();
    expect(info.version).toBe(packageJson.version);
    expect(info.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Number.isNaN(Date.parse(info.updated))).toBe(false);
    expect(JSON.stringify(plugin())).not.toMatch(/%(VERSION|TODAY)%/);
  });

  test('includes the pages, Probe servers being the default', () => {
    const includes = plugin().includes as Array<Record<string, unknown>>;
    const pages = includes.filter((include) => include.type === 'page');
    expect(pages.map((include) => include.name)).toEqual(expect.arrayContaining(['Probe servers', 'Probe server', 'Probe', 'Configuration']));
    expect(includes.filter((include) => include.defaultNav).map((include) => include.name)).toEqual(['Probe servers']);
    expect(pages.find((include) => include.name === 'Probe servers')).toMatchObject({ path: '/a/probekit-tcpprobe-app/servers', addToNav: true });
    expect(pages.find((include) => include.name === 'Configuration')).toMatchObject({ path: '/plugins/probekit-tcpprobe-app', role: 'Admin' });
  });

  test('routes gateway/* to the configured gateway, one verb per route with its Grafana role', () => {
    const routes = plugin().routes as Array<Record<string, unknown>>;
    expect(routes.map((route) => [route.path, route.method, route.reqRole, route.url])).toEqual([
      // Shared accounts hold credentials: only admins write them (first, as Grafana takes the first route that matches).
      ['gateway/api/v1/shared-accounts', 'POST', 'Admin', '{{ .JsonData.gatewayUrl }}/api/v1/shared-accounts'],
      ['gateway/api/v1/shared-accounts/*', 'PUT', 'Admin', '{{ .JsonData.gatewayUrl }}/api/v1/shared-accounts'],
      ['gateway/*', 'GET', 'Viewer', '{{ .JsonData.gatewayUrl }}'],
      ['gateway/*', 'POST', 'Editor', '{{ .JsonData.gatewayUrl }}'],
      ['gateway/*', 'PUT', 'Editor', '{{ .JsonData.gatewayUrl }}'],
      ['gateway/*', 'PATCH', 'Editor', '{{ .JsonData.gatewayUrl }}'],
      ['gateway/*', 'DELETE', 'Admin', '{{ .JsonData.gatewayUrl }}'],
    ]);
    for (const route of routes) {
      expect(route.headers).toEqual([{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.gatewayToken }}' }]);
    }
  });
});

describe('files beside the module', () => {
  test('the logo plugin.json names is an SVG', () => {
    const { logos } = JSON.parse(readFileSync(join(dist, 'plugin.json'), 'utf8')).info;
    for (const logo of [logos.small, logos.large]) {
      expect(readFileSync(join(dist, logo), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    }
  });

  test('README, CHANGELOG and the Apache-2.0 LICENSE are copied', () => {
    expect(readFileSync(join(dist, 'README.md'), 'utf8')).toContain('probekit');
    expect(readFileSync(join(dist, 'CHANGELOG.md'), 'utf8')).toContain(packageJson.version);
    expect(readFileSync(join(dist, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0/);
  });
});

describe('dist/panels/probe-grid: the nested probe status grid panel', () => {
  const panelDir = join(dist, 'panels', 'probe-grid');
  const panelJson = () => JSON.parse(readFileSync(join(panelDir, 'plugin.json'), 'utf8'));

  test('the app includes it, and its folder holds a panel plugin.json stamped like the app', () => {
    const includes = JSON.parse(readFileSync(join(dist, 'plugin.json'), 'utf8')).includes as Array<Record<string, unknown>>;
    const panel = includes.find((include) => include.type === 'panel');
    expect(panel).toEqual({ type: 'panel', name: 'Probe status grid', path: 'panels/probe-grid' });
    expect(panelJson()).toMatchObject({ type: 'panel', id: 'probekit-probegrid-panel', name: panel!.name, dependencies: { grafanaDependency: '>=12.3.0' } });
    expect(panelJson().info.version).toBe(packageJson.version);
    expect(JSON.stringify(panelJson())).not.toMatch(/%(VERSION|TODAY)%/);
    for (const logo of [panelJson().info.logos.small, panelJson().info.logos.large]) {
      expect(readFileSync(join(panelDir, logo), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    }
  });

  test('module.js is one AMD define() on the libraries Grafana shares, with a source map and no bundled React', () => {
    const source = readFileSync(join(panelDir, 'module.js'), 'utf8');
    const match = /^define\((\[[^\]]*\]),\s*(function|\()/.exec(source.replace(/^(\s*\/\*[\s\S]*?\*\/)*\s*/, ''));
    expect(match, 'panels/probe-grid/module.js must start with define([...deps], factory)').not.toBeNull();
    const deps = JSON.parse(match![1]!) as string[];
    expect(deps.filter((dep) => !ALLOWED_EXTERNALS.includes(dep))).toEqual([]);
    expect(deps).toEqual(expect.arrayContaining(['react', '@emotion/css', '@grafana/data', '@grafana/runtime', '@grafana/ui']));
    expect(source).not.toContain('Minified React error');
    expect(source).not.toMatch(/node_modules\/@grafana\//);
    expect(existsSync(join(panelDir, 'module.js.map'))).toBe(true);
  });
});
