// Node side of the preview: bundles preview/index.tsx with webpack (the real @grafana packages, no externals),
// serves it from a small HTTP server on loopback and starts Debian's Chromium through playwright-core.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, requireChromium } from '../../../test/chromium';
import webpack, { type Configuration } from 'webpack';

const pluginRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** Where the preview bundle goes (under node_modules: a build product, never committed). */
export const PREVIEW_DIR = join(pluginRoot, 'node_modules', '.cache', 'probe-grid-preview');

const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>Probe status grid preview</title></head>
  <body><div id="root"></div><script src="/preview.js"></script></body>
</html>
`;

function previewConfig(outDir: string): Configuration {
  return {
    // Production React, as Grafana runs it; not minified, which saves build time and changes no run time.
    mode: 'production',
    target: 'web',
    context: pluginRoot,
    entry: { preview: './src/panels/probe-grid/preview/index.tsx' },
    output: { path: outDir, filename: '[name].js', publicPath: '/', clean: true },
    devtool: false,
    resolve: { extensions: ['.ts', '.tsx', '.js', '.jsx', '.json'] },
    module: {
      rules: [
        {
          test: /\.[jt]sx?$/,
          exclude: /node_modules/,
          use: {
            loader: 'swc-loader',
            options: { jsc: { parser: { syntax: 'typescript', tsx: true }, target: 'es2020', transform: { react: { runtime: 'automatic' } } } },
          },
        },
        // @grafana/ui's ES build imports a few stylesheets.
        { test: /\.css$/, type: 'css' },
      ],
    },
    experiments: { css: true },
    plugins: [
      // React's profiling build: production React whose <Profiler> reports commit times to the benchmark.
      new webpack.NormalModuleReplacementPlugin(/react-dom\.production\.min\.js$/, (resource) => {
        resource.request = resource.request.replace('react-dom.production.min.js', 'react-dom.profiling.min.js');
      }),
    ],
    optimization: { minimize: false, splitChunks: false },
    cache: { type: 'filesystem', cacheDirectory: join(pluginRoot, 'node_modules', '.cache', 'webpack-probe-grid-preview') },
    performance: { hints: false },
    infrastructureLogging: { level: 'error' },
    stats: 'errors-only',
  };
}

/** Bundles the preview page into `outDir`; rejects with webpack's errors. */
export function buildPreview(outDir = PREVIEW_DIR): Promise<void> {
  const compiler = webpack(previewConfig(outDir));
  return new Promise((resolve, reject) => {
    compiler.run((error, stats) => {
      compiler.close(() => {
        if (error || !stats || stats.hasErrors()) {
          reject(error ?? new Error(stats?.toString('errors-only') ?? 'webpack failed'));
        } else {
          resolve();
        }
      });
    });
  });
}

const CONTENT_TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.svg': 'image/svg+xml' };

export interface PreviewServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the bundle on 127.0.0.1; every other path gets the page, as Grafana's routes all load the app. */
export async function servePreview(dir = PREVIEW_DIR): Promise<PreviewServer> {
  const server: Server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://preview').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, path);
    if (extname(path) && file.startsWith(dir) && existsSync(file)) {
      response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream' });
      response.end(await readFile(file));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(INDEX_HTML);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Debian's Chromium, headless, with a fresh profile (playwright makes a new --user-data-dir for every launch). */
export async function launchChromium(): Promise<Browser> {
  requireChromium('the probe grid browser test');
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}
