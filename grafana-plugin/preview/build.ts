// Bundles the preview page (entry.tsx: the app's root page with real @grafana/ui, @grafana/data, @grafana/runtime,
// @grafana/scenes and the preview's stand-ins for Grafana's services) into one browser script and stylesheet.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', 'package.json'));

/** Where a package's files are, resolved as the plugin resolves it. */
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/**
 * @grafana/scenes (through @grafana/plugin-compat) feature-detects newer @grafana/runtime APIs by importing them by
 * name; where the installed runtime lacks one, the import must read as undefined, as it does when Grafana provides the
 * module at run time. esbuild refuses a missing ESM export, so plugin-compat's view of the runtime goes through a
 * module that looks each name up on the real one.
 */
function runtimeFeatureDetection(): Plugin {
  return {
    name: 'runtime-feature-detection',
    setup(builder) {
      builder.onResolve({ filter: /^@grafana\/runtime(\/unstable)?$/ }, (args) =>
        /[\\/]@grafana[\\/]plugin-compat[\\/]/.test(args.importer)
          ? { path: `${args.path} from ${args.importer}`, namespace: 'runtime-detect', pluginData: { module: args.path, importer: args.importer } }
          : undefined,
      );
      builder.onLoad({ filter: /.*/, namespace: 'runtime-detect' }, async (args) => {
        const { module, importer } = args.pluginData as { module: string; importer: string };
        const real = (await builder.resolve(module, { kind: 'import-statement', resolveDir: dirname(importer) })).path;
        const names = new Set<string>();
        for (const match of readFileSync(importer, 'utf8').matchAll(/import\s*\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g)) {
          if (match[2] !== module) continue;
          for (const part of match[1]!.split(',')) names.add(part.trim().split(/\s+as\s+/)[0]!);
        }
        const lines = [`import * as real from ${JSON.stringify(real)};`, `export * from ${JSON.stringify(real)};`];
        for (const name of names) if (name) lines.push(`export const ${name} = real[${JSON.stringify(name)}];`);
        return { contents: lines.join('\n'), resolveDir: dirname(real), loader: 'js' };
      });
    },
  };
}

/**
 * Relative imports resolved with the exact case of the file name. esbuild matches names case-insensitively, so
 * `./probeForm` could otherwise land on `ProbeForm.tsx` beside `probeForm.ts`; webpack and Node do not.
 */
function exactCaseRelativeImports(): Plugin {
  const EXTENSIONS = ['', '.tsx', '.ts', '.jsx', '.js', '.mjs', '.json'];
  return {
    name: 'exact-case-relative-imports',
    setup(builder) {
      builder.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.importer.includes(`${sep}node_modules${sep}`)) return undefined;
        const base = resolve(args.resolveDir, args.path);
        const candidates = [...EXTENSIONS.map((ext) => base + ext), ...EXTENSIONS.slice(1).map((ext) => join(base, `index${ext}`))];
        const found = candidates.find((file) => existsSync(file) && statSync(file).isFile() && readdirSync(dirname(file)).includes(basename(file)));
        return found ? { path: found } : undefined;
      });
    },
  };
}

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
    plugins: [exactCaseRelativeImports(), runtimeFeatureDetection()],
    logLevel: 'error',
  });
}
