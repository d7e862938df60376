// Bundles the preview page (entry.tsx: the app's root page with real @grafana/ui, @grafana/data, @grafana/runtime,
// @grafana/scenes and the preview's stand-ins for Grafana's services) into one browser script and stylesheet.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', 'package.json'));

/** Where a package's files are, resolved as the plugin resolves it. */
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

export async function buildPreview(outdir: string): Promise<void> {
  await build({
    entryPoints: { app: join(here, 'entry.tsx') },
    bundle: true,
    outdir,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    jsx: 'automatic',
    tsconfig: join(here, '..', 'tsconfig.json'),
    loader: { '.svg': 'file', '.png': 'file', '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file' },
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    alias: {
      'grafana-runtime-internal/PluginPage': join(packageDir('@grafana/runtime'), 'dist/esm/components/PluginPage.mjs'),
      // Grafana gives plugins one router: @grafana/ui's links (react-router-dom-v5-compat) and the plugin's pages
      // (react-router-dom 6) must see the same one, as they do inside Grafana.
      'react-router-dom-v5-compat': packageDir('react-router-dom'),
    },
    logLevel: 'error',
  });
}
