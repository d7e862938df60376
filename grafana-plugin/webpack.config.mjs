// Builds dist/ the way Grafana loads an app plugin: one AMD module.js whose shared libraries (React, the router, rxjs,
// emotion and Grafana's own packages) are provided by Grafana at run time, plus plugin.json, the logo and the docs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import CopyWebpackPlugin from 'copy-webpack-plugin';

const root = path.dirname(fileURLToPath(import.meta.url));
const packageJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const pluginJson = JSON.parse(readFileSync(path.join(root, 'src', 'plugin.json'), 'utf8'));

/**
 * Modules Grafana shares with plugins through its SystemJS loader. Bundling a second React or @grafana/ui would break
 * hooks and theming, so these stay imports that Grafana resolves. `react/jsx-runtime` is not in the list: it is a thin
 * wrapper that is bundled and calls the host's React.
 */
const EXTERNALS = new Set([
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
]);

/** Exact module names only: anything else, e.g. `react-dom/client` or a deep import, is bundled. */
function grafanaShared({ request }, callback) {
  if (EXTERNALS.has(request)) return callback(null, `amd ${request}`);
  return callback();
}

/** plugin.json with the version and the build date filled in. */
function stampPluginJson(content) {
  const today = new Date().toISOString().slice(0, 10);
  return content.toString().replaceAll('%VERSION%', packageJson.version).replaceAll('%TODAY%', today);
}

export default (_env, argv) => {
  const production = argv.mode !== 'development';
  return {
    mode: production ? 'production' : 'development',
    target: 'web',
    context: root,
    entry: {
      module: './src/module.tsx',
      // The nested probe status grid panel: its own AMD module beside its plugin.json, as Grafana loads nested plugins.
      'panels/probe-grid/module': './src/panels/probe-grid/module.tsx',
    },
    devtool: 'source-map',
    output: {
      path: path.join(root, 'dist'),
      filename: '[name].js',
      clean: true,
      library: { type: 'amd' },
      // Grafana serves plugin files from here; chunks and assets resolve against it.
      publicPath: `public/plugins/${pluginJson.id}/`,
      // Keeps webpack's runtime globals apart from other plugins' bundles on the same page.
      uniqueName: pluginJson.id,
    },
    externals: [grafanaShared],
    resolve: {
      extensions: ['.ts', '.tsx', '.js', '.jsx', '.json'],
      // The gateway's alert-rule mapping (gateway/src/alerting), bundled from source, imports its siblings as `.js`.
      extensionAlias: { '.js': ['.ts', '.js'] },
    },
    module: {
      rules: [
        {
          test: /\.[jt]sx?$/,
          exclude: /node_modules/,
          use: {
            loader: 'swc-loader',
            options: {
              jsc: {
                parser: { syntax: 'typescript', tsx: true },
                target: 'es2020',
                transform: { react: { runtime: 'automatic' } },
              },
            },
          },
        },
      ],
    },
    plugins: [
      new CopyWebpackPlugin({
        patterns: [
          { from: 'src/plugin.json', to: 'plugin.json', transform: stampPluginJson },
          { from: 'src/img', to: 'img' },
          { from: 'src/panels/probe-grid/plugin.json', to: 'panels/probe-grid/plugin.json', transform: stampPluginJson },
          { from: 'src/panels/probe-grid/img', to: 'panels/probe-grid/img' },
          { from: 'README.md', to: '.' },
          { from: 'CHANGELOG.md', to: '.' },
          { from: 'LICENSE', to: '.' },
        ],
      }),
    ],
    performance: { hints: false },
  };
};
