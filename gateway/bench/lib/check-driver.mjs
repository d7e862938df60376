// Runs the gateway's own check function (compiled src/, see buildGateway) at a fixed rate, on bare node in its own
// process, so its CPU can be read from /proc apart from everything else: the engine's deps are built as the engine
// builds them (a resolver behind the allowlist guard), each check's outcome is tallied, nothing else is done.
// Usage: node bench/lib/check-driver.mjs DIST_DIR RATE DURATION_MS 'TARGETS_JSON' IDLE_MS 'REQUEST_JSON'
// (REQUEST_JSON: fields merged into every CheckRequest, e.g. {"timeoutMs":2000,"tls":{...},"account":{...}}).
// Prints "ready", idles IDLE_MS (the baseline), runs, then prints one JSON line with the tallies.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pace } from './rate.mjs';

const [distDir, rate, durationMs, targetsJson, idleMs, requestJson] = process.argv.slice(2);
/** @type {{ host: string, port: number }[]} */
const targets = JSON.parse(targetsJson);
const template = JSON.parse(requestJson);
const load = (file) => import(pathToFileURL(join(distDir, file)).href);

// checkProbe (probing/check.ts) is what the engine calls; a tree from before it existed has only checkTcp.
const checkFile = existsSync(join(distDir, 'probing', 'check.js')) ? 'probing/check.js' : 'probing/tcp.js';
const checkModule = await load(checkFile);
const check = checkModule.checkProbe ?? checkModule.checkTcp;
const { createResolver } = await load('probing/resolve.js');
const { guardedResolver } = await load('engine/guarded-resolver.js');
const { parseAllowlist } = await load('domain/targets.js');
const deps = { resolver: guardedResolver(createResolver(), parseAllowlist(undefined)) };

/** @type {Record<string, number>} */
const outcomes = {};
let completed = 0;
/** Results that carried a completed handshake (`tls` set): for TLS runs, proof that TLS happened at all. */
let withTls = 0;
/** @type {string | null} */
let firstError = null;

/** @param {number} i */
function checkOnce(i) {
  const target = targets[i % targets.length];
  void check({ ...template, host: target.host, port: target.port }, deps).then((result) => {
    completed++;
    outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
    if (result.tls) withTls++;
    if (result.outcome !== 'success') firstError ??= result.error;
  });
}

console.log('ready');
await new Promise((resolve) => setTimeout(resolve, Number(idleMs)));
const { issued, elapsedMs } = await pace(Number(rate), Number(durationMs), checkOnce);
const until = performance.now() + 5000;
while (completed < issued && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
const failed = issued - (outcomes.success ?? 0);
console.log(JSON.stringify({ checkFunction: `${check.name} (${checkFile})`, issued, completed, failed, outcomes, withTls, firstError, elapsedMs }));
