// One probing location's /metrics as a gateway exposes it (the probe series of tcpprobe_*, labelled with its
// `gateway`), served over real HTTP on loopback so a real Prometheus scrapes it; the test sets each probe's run of
// failures, removes a probe's series (no data) or makes the whole location unscrapeable (a gateway down).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeProbe {
  id: number;
  name: string;
  target: string;
}

export interface FakeServer {
  id: number;
  name: string;
  role: string;
  site: string;
}

export class FakeLocation {
  /** Failed checks in a row per probe id; null: the probe reports nothing (outside its window, say). */
  readonly failures = new Map<number, number | null>();
  /** false: /metrics answers 503, so Prometheus marks every series of the location stale. */
  scrapeable = true;
  private readonly http: Server;

  constructor(readonly gateway: string, private readonly server: FakeServer, private readonly probes: FakeProbe[]) {
    for (const probe of probes) this.failures.set(probe.id, 0);
    this.http = createServer((request, response) => {
      if (request.url !== '/metrics' || !this.scrapeable) {
        response.writeHead(request.url === '/metrics' ? 503 : 404).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(this.exposition());
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.http.close(() => resolve()));
  }

  /** The gateway's label order: gateway, server, server_id, probe, probe_id, target, role, site. */
  private exposition(): string {
    const lines = [`tcpprobe_probes_configured{gateway="${this.gateway}"} ${this.probes.length}`];
    for (const probe of this.probes) {
      const failures = this.failures.get(probe.id);
      if (failures === null || failures === undefined) continue;
      const labels = `gateway="${this.gateway}",server="${this.server.name}",server_id="${this.server.id}",probe="${probe.name}",probe_id="${probe.id}",` +
        `target="${probe.target}",role="${this.server.role}",site="${this.server.site}"`;
      lines.push(
        `tcpprobe_availability{${labels}} ${failures === 0 ? 1 : 0}`,
        `tcpprobe_consecutive_failures{${labels}} ${failures}`,
        `tcpprobe_checks_total{${labels},result="success"} 10`,
        `tcpprobe_checks_total{${labels},result="refused"} ${failures}`,
        `tcpprobe_info{${labels},actual_host="localhost",actual_ipv4="127.0.0.1"} 1`,
      );
    }
    return `${lines.join('\n')}\n`;
  }
}
