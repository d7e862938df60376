// Which thresholds apply: the built-in default, the server's, the probe's own (pure).
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLD, effectiveThresholds, follows, probeThresholds, serverThresholds } from '../../src/alerting/index.js';
import { availability, connect, probe, ratio, server } from './fixtures.js';

const kinds = (list: { threshold: { kind: string; level: string }; source: string }[]) =>
  list.map(({ threshold, source }) => `${threshold.kind}/${threshold.level}<-${source}`);

describe('the built-in default', () => {
  it('is a critical availability threshold: two failed checks in a row and five minutes', () => {
    expect(DEFAULT_THRESHOLD).toEqual({ kind: 'availability', level: 'critical', for: '5m', consecutiveChecks: 2 });
    expect(Object.isFrozen(DEFAULT_THRESHOLD)).toBe(true);
  });

  it('covers a server without thresholds, and so every probe the moment it is saved', () => {
    expect(kinds(serverThresholds(server(1)))).toEqual(['availability/critical<-default']);
    expect(kinds(probeThresholds(server(1), probe(10, 1)))).toEqual(['availability/critical<-default']);
  });

  it('stays beside thresholds of other kinds', () => {
    expect(kinds(serverThresholds(server(1, { thresholds: [connect(), ratio()] }))))
      .toEqual(['availability/critical<-default', 'availabilityRatio/warning<-server', 'connectTime/warning<-server']);
  });

  it('gives way to any availability threshold of the server, whatever its level', () => {
    expect(kinds(serverThresholds(server(1, { thresholds: [availability({ level: 'warning', for: '10m' })] }))))
      .toEqual(['availability/warning<-server']);
  });

  it('gives way to any availability threshold of the probe, which the server rule then leaves out', () => {
    const srv = server(1);
    const own = probe(10, 1, { thresholds: [availability({ level: 'warning' })] });
    expect(kinds(probeThresholds(srv, own))).toEqual(['availability/warning<-probe']);
    const [serverDefault] = serverThresholds(srv);
    expect(follows(probeThresholds(srv, own), serverDefault!)).toBe(false);
    expect(follows(probeThresholds(srv, probe(11, 1)), serverDefault!)).toBe(true);
  });
});

describe('server thresholds and probe overrides', () => {
  const srv = server(1, { thresholds: [connect({ team: 'db' }), availability({ team: 'db', for: '2m' }), connect({ level: 'critical', value: 900 })] });

  it('applies every server threshold to a probe without its own, the same objects', () => {
    const effective = probeThresholds(srv, probe(10, 1));
    expect(kinds(effective)).toEqual(['availability/critical<-server', 'connectTime/warning<-server', 'connectTime/critical<-server']);
    expect(effective.map((entry) => entry.threshold)).toEqual([srv.thresholds[1], srv.thresholds[0], srv.thresholds[2]]);
  });

  it('lets a probe threshold replace the server threshold of the same kind and level only', () => {
    const own = connect({ value: 50, team: 'web' });
    const effective = probeThresholds(srv, probe(10, 1, { thresholds: [own] }));
    expect(kinds(effective)).toEqual(['availability/critical<-server', 'connectTime/warning<-probe', 'connectTime/critical<-server']);
    expect(effective[1]!.threshold).toBe(own);
  });

  it('adds probe thresholds of kinds the server does not set', () => {
    expect(kinds(probeThresholds(srv, probe(10, 1, { thresholds: [ratio({ level: 'critical', value: 95 })] }))))
      .toEqual(['availability/critical<-server', 'availabilityRatio/critical<-probe', 'connectTime/warning<-server', 'connectTime/critical<-server']);
  });

  it('orders by kind, then warning before critical, whatever the stored order', () => {
    const shuffled = server(2, { thresholds: [connect({ level: 'critical', value: 900 }), ratio(), availability({ level: 'warning' }), availability()] });
    expect(kinds(serverThresholds(shuffled))).toEqual([
      'availability/warning<-server', 'availability/critical<-server', 'availabilityRatio/warning<-server', 'connectTime/critical<-server',
    ]);
  });

  it('tells per probe which server thresholds it follows', () => {
    const probes = [probe(10, 1), probe(11, 1, { thresholds: [connect({ value: 50 })] }), probe(12, 1, { thresholds: [availability({ level: 'warning' })] })];
    const effective = effectiveThresholds(srv, probes);
    expect(kinds(effective.server)).toEqual(['availability/critical<-server', 'connectTime/warning<-server', 'connectTime/critical<-server']);
    const followed = effective.probes.map(({ probe: p, thresholds }) => [p.id, effective.server.map((entry) => follows(thresholds, entry))]);
    // Probe 12's availability warning is another level: the server's availability critical still covers it.
    expect(followed).toEqual([[10, [true, true, true]], [11, [true, false, true]], [12, [true, true, true]]]);
  });
});
