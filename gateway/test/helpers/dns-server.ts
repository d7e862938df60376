// A tiny authoritative DNS server on loopback UDP, so tests resolve made-up names without the machine's resolver.
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import dnsPacket from 'dns-packet';

/** What one name holds. A name absent from the zone is NXDOMAIN. */
export interface ZoneEntry {
  A?: string[];
  AAAA?: string[];
  CNAME?: string;
  /** Answer every query for this name with SERVFAIL. */
  servfail?: boolean;
  /** Never answer queries for this name, as when its authoritative server is down. */
  unanswered?: boolean;
}

export type Zone = Record<string, ZoneEntry>;

export interface TestDnsServer {
  /** "127.0.0.1:port", ready for createResolver({ servers: [...] }). */
  server: string;
  /** Queries received, as "TYPE name", oldest first. */
  queries: string[];
  close(): Promise<void>;
}

const NXDOMAIN = 3;
const SERVFAIL = 2;

/** Starts a server for the zone; with `silent` it receives queries but never answers, like a dead server. */
export async function startDnsServer(zone: Zone, options: { silent?: boolean } = {}): Promise<TestDnsServer> {
  const entries = new Map(Object.entries(zone).map(([name, entry]) => [normalize(name), entry]));
  const queries: string[] = [];
  const socket = dgram.createSocket('udp4');

  socket.on('message', (message, peer) => {
    const query = dnsPacket.decode(message);
    const question = query.questions?.[0];
    if (question === undefined) return;
    queries.push(`${question.type} ${question.name}`);
    if (options.silent || entries.get(normalize(question.name))?.unanswered) return;
    const { rcode, answers } = answer(entries, question);
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | rcode,
      questions: query.questions ?? [],
      answers,
    });
    socket.send(response, peer.port, peer.address);
  });

  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  return {
    server: `127.0.0.1:${port}`,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** Answers as an authoritative server does: a CNAME answers any type and is followed inside the zone. */
function answer(
  entries: Map<string, ZoneEntry>,
  question: dnsPacket.Question,
): { rcode: number; answers: dnsPacket.Answer[] } {
  const answers: dnsPacket.Answer[] = [];
  let name = question.name;
  // Bounded so that a CNAME loop in the zone (which tests use on purpose) ends.
  for (let hop = 0; hop < 16; hop++) {
    const entry = entries.get(normalize(name));
    // After a CNAME the code still describes the last name (RFC 6604), so a dangling chain is NXDOMAIN too.
    if (entry === undefined) return { rcode: NXDOMAIN, answers };
    if (entry.servfail) return { rcode: SERVFAIL, answers: [] };
    if (entry.CNAME !== undefined) {
      answers.push({ type: 'CNAME', name, ttl: 60, data: entry.CNAME });
      if (question.type === 'CNAME') break;
      name = entry.CNAME;
      continue;
    }
    if (question.type === 'A' || question.type === 'AAAA') {
      for (const address of entry[question.type] ?? []) {
        answers.push({ type: question.type, name, ttl: 60, data: address });
      }
    }
    break;
  }
  return { rcode: 0, answers };
}

function normalize(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}
