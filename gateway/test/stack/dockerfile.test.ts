// gateway/Dockerfile follows the repository: the npm scripts it runs exist, the files it copies exist and pass
// .dockerignore, its CMD starts what the build writes, and its HEALTHCHECK really tells a live gateway from a dead one.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { freePort } from '../helpers/prometheus.js';
import { compose, mounts, readJson, readText, REPO } from './stack.js';

interface Instruction {
  stage: number;
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions, continuation lines joined, with the stage (FROM count) each belongs to. */
function instructions(text: string): Instruction[] {
  const joined = text.replace(/\\\n/g, ' ').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  let stage = -1;
  return joined.map((line) => {
    const [keyword, ...rest] = line.split(/\s+/);
    if (keyword!.toUpperCase() === 'FROM') stage += 1;
    return { stage, keyword: keyword!.toUpperCase(), args: rest.join(' ') };
  });
}

const dockerfile = instructions(readText('gateway', 'Dockerfile'));
const stages = dockerfile.filter((i) => i.keyword === 'FROM').map((i) => i.args.split(/\s+/));
const finalStage = stages.length - 1;
const inStage = (stage: number, keyword: string) => dockerfile.filter((i) => i.stage === stage && i.keyword === keyword);
const gatewayPackage = readJson('gateway', 'package.json');

/** A .dockerignore that excludes everything (`*`) and lists what goes in with `!path`. */
function allowedByDockerignore(path: string): boolean {
  const lines = readText('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  expect(lines[0]).toBe('*');
  return lines.slice(1).some((line) => line.startsWith('!') && (path === line.slice(1) || path.startsWith(`${line.slice(1)}/`)));
}

/** Exec-form arguments (a JSON array) of CMD, HEALTHCHECK ... CMD, ENTRYPOINT. */
function execForm(args: string): string[] {
  return JSON.parse(args.slice(args.indexOf('['))) as string[];
}

describe('gateway/Dockerfile', () => {
  it('builds in one stage and runs in another, both on a pinned Node 22 slim image', () => {
    expect(stages.length).toBe(2);
    for (const [image] of stages) expect(image).toMatch(/^node:22\.\d+\.\d+-slim$/);
    expect(stages[0]![2], 'the build stage is named').toBe('build');
  });

  it('runs npm scripts that exist, for the workspace that exists', () => {
    const runs = inStage(0, 'RUN').map((i) => i.args);
    const npmRuns = runs.filter((run) => run.startsWith('npm '));
    expect(npmRuns.some((run) => run.startsWith('npm ci '))).toBe(true);
    for (const run of npmRuns) {
      const workspace = /--workspace=(\S+)|-w\s+(\S+)/.exec(run);
      if (workspace) expect(workspace[1] ?? workspace[2]).toBe(gatewayPackage.name);
      const script = /^npm run (\S+)/.exec(run)?.[1];
      if (script) expect(gatewayPackage.scripts, `npm run ${script}`).toHaveProperty(script);
    }
    expect(npmRuns.some((run) => /^npm run build\b/.test(run))).toBe(true);
    // The lockfile decides the versions: npm ci, never npm install.
    expect(npmRuns.some((run) => run.startsWith('npm install'))).toBe(false);
    // better-sqlite3 may need to compile its addon; the compiler stays in the build stage.
    expect(runs.some((run) => /apt-get install .*python3.*make.*g\+\+/.test(run))).toBe(true);
    expect(inStage(finalStage, 'RUN').some((i) => /apt-get/.test(i.args))).toBe(false);
  });

  it('copies from the build context only files that exist and that .dockerignore lets through', () => {
    const copies = dockerfile.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'));
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const sources = copy.args.split(/\s+/).slice(0, -1);
      for (const source of sources) {
        expect(existsSync(join(REPO, source)), `COPY ${source}`).toBe(true);
        expect(allowedByDockerignore(source), `.dockerignore lets ${source} through`).toBe(true);
      }
    }
    // What the tsconfig the build uses extends must be there too.
    const copied = copies.flatMap((c) => c.args.split(/\s+/).slice(0, -1));
    expect(copied).toContain('tsconfig.base.json');
    expect(readJson('gateway', 'tsconfig.build.json').extends).toBe('../tsconfig.base.json');
    expect(copied).toContain('package-lock.json');
    // The lockfile names both workspaces; npm ci needs both manifests.
    expect(copied).toEqual(expect.arrayContaining(['gateway/package.json', 'grafana-plugin/package.json']));
    // And the context carries nothing else.
    const letThrough = readText('.dockerignore').split('\n').filter((line) => line.startsWith('!')).map((line) => line.slice(1));
    expect(letThrough.sort()).toEqual([...copied].sort());
  });

  it('starts, as CMD, the file the TypeScript build writes: the package\'s main', () => {
    const workdir = inStage(finalStage, 'WORKDIR').at(-1)!.args;
    const cmd = execForm(inStage(finalStage, 'CMD').at(-1)!.args);
    expect(cmd[0]).toBe('node');
    const started = posix.join(workdir, cmd[1]!);

    // main is dist/main.js; `npm start` runs the same file; tsc writes it from src/main.ts (rootDir src, outDir dist).
    expect(gatewayPackage.main).toBe('dist/main.js');
    expect(gatewayPackage.scripts.start).toBe(`node ${gatewayPackage.main}`);
    const tsconfig = readJson('gateway', 'tsconfig.build.json');
    expect(tsconfig.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
    expect(existsSync(join(REPO, 'gateway', 'src', 'main.ts'))).toBe(true);

    // The runtime stage gets dist (and the package.json that makes it ESM) from the build stage's WORKDIR.
    const buildWorkdir = inStage(0, 'WORKDIR').at(-1)!.args;
    const fromBuild = inStage(finalStage, 'COPY').filter((c) => c.args.startsWith('--from=build')).map((c) => c.args.split(/\s+/).slice(1));
    const landing = (source: string) => {
      const copy = fromBuild.find(([from]) => from === posix.join(buildWorkdir, source));
      return copy && posix.join(workdir, copy[1]!);
    };
    expect(landing('gateway/dist')).toBe(posix.join(workdir, 'gateway/dist'));
    expect(started).toBe(posix.join(workdir, 'gateway', gatewayPackage.main));
    expect(landing('gateway/package.json')).toBe(posix.join(workdir, 'gateway/'));
    expect(gatewayPackage.type).toBe('module');
    // The TCP_INFO addon lands in gateway/native/build/Release/, where src/probing/kernel-timing.ts looks (above dist/).
    expect(landing('gateway/native/build/Release/tcp_info.node')).toBe(posix.join(workdir, 'gateway/native/build/Release/'));
    expect(readText('gateway/src/probing/kernel-timing.ts')).toContain("join('native', 'build', 'Release', 'tcp_info.node')");
    // node_modules (with better-sqlite3's compiled addon) sits above gateway/, where Node's resolution finds it.
    expect(landing('node_modules')).toBe(posix.join(workdir, 'node_modules'));
  });

  it('runs as the unprivileged node user, listening on all interfaces, with its data under the compose volume', () => {
    expect(inStage(finalStage, 'USER').at(-1)!.args).toBe('node');
    const envText = inStage(finalStage, 'ENV').map((i) => i.args).join(' ');
    expect(envText).toMatch(/GATEWAY_HOST=0\.0\.0\.0/);
    expect(envText).toMatch(/NODE_ENV=production/);
    const db = /GATEWAY_DB=(\S+)/.exec(envText)![1]!;
    const dataMount = mounts(compose().services.gateway!).find((m) => m.named);
    expect(posix.dirname(db)).toBe(dataMount!.target);
    expect(inStage(finalStage, 'RUN').some((i) => i.args.includes(`chown node:node ${posix.dirname(db)}`))).toBe(true);
  });

  describe('HEALTHCHECK', () => {
    const healthcheck = inStage(finalStage, 'HEALTHCHECK').at(-1)!;
    const command = execForm(healthcheck.args);
    let gw: TestGateway;

    beforeAll(async () => {
      gw = await startTestGateway();
    });
    afterAll(async () => {
      await gw?.dispose();
    });

    const run = (port: number) => new Promise<number>((resolve) => {
      // The image's node is the first word; here it is the node running the tests.
      execFile(command[0] === 'node' ? process.execPath : command[0]!, command.slice(1), { env: { ...process.env, GATEWAY_PORT: String(port) }, timeout: 10_000 },
        (error) => resolve(error ? (typeof error.code === 'number' ? error.code : -1) : 0));
    });

    it('asks /healthz with node, since the slim image has no curl', () => {
      expect(command[0]).toBe('node');
      expect(command.join(' ')).toMatch(/\/healthz/);
      expect(command.join(' ')).not.toMatch(/curl|wget/);
    });

    it('passes against a running gateway', async () => {
      expect(await run(Number(new URL(gw.url).port))).toBe(0);
    });

    it('fails when nothing answers', async () => {
      expect(await run(await freePort())).not.toBe(0);
    });
  });
});
