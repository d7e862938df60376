// Slots of a server's locations: the others keep theirs whatever comes or goes; a replaced location hands its slot over.
import { describe, expect, it } from 'vitest';
import { assignSlots } from '../../src/domain/location-slots.js';

describe('assignSlots', () => {
  it('gives a new server slots 0, 1, 2 in the order given', () => {
    expect(assignSlots([], ['hq', 'fra', 'aws'])).toEqual({
      locations: [{ gateway: 'hq', slot: 0 }, { gateway: 'fra', slot: 1 }, { gateway: 'aws', slot: 2 }],
      moves: [],
    });
  });

  it('keeps the slots of locations that stay when one is added or removed, and reuses a freed slot later', () => {
    const three = assignSlots([], ['hq', 'fra', 'aws']).locations;
    const withoutFra = assignSlots(three, ['hq', 'aws']);
    expect(withoutFra).toEqual({ locations: [{ gateway: 'hq', slot: 0 }, { gateway: 'aws', slot: 2 }], moves: [] });
    const added = assignSlots(withoutFra.locations, ['hq', 'aws', 'ber']);
    expect(added.locations).toEqual([{ gateway: 'hq', slot: 0 }, { gateway: 'aws', slot: 2 }, { gateway: 'ber', slot: 1 }]);
    expect(added.moves).toEqual([]);
  });

  it('a location replaced in one save takes the old slot and is a move, as a one-location server moving gateways was', () => {
    expect(assignSlots([{ gateway: 'hq', slot: 0 }], ['edge'])).toEqual({ locations: [{ gateway: 'edge', slot: 0 }], moves: [{ fromGateway: 'hq', toGateway: 'edge' }] });
    const replaced = assignSlots([{ gateway: 'hq', slot: 0 }, { gateway: 'fra', slot: 1 }, { gateway: 'aws', slot: 2 }], ['aws', 'ber', 'hq']);
    expect(replaced.locations).toEqual([{ gateway: 'aws', slot: 2 }, { gateway: 'ber', slot: 1 }, { gateway: 'hq', slot: 0 }]);
    expect(replaced.moves).toEqual([{ fromGateway: 'fra', toGateway: 'ber' }]);
  });

  it('never gives two locations one slot (random edits)', () => {
    let locations = assignSlots([], ['g0']).locations;
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 500; round++) {
      const names = Array.from({ length: 20 }, (_, i) => `g${i}`).filter(() => random() < 0.4).slice(0, 16);
      const next = names.length === 0 ? ['g0'] : names;
      const before = new Map(locations.map((l) => [l.gateway, l.slot]));
      locations = assignSlots(locations, next).locations;
      expect(new Set(locations.map((l) => l.slot)).size).toBe(locations.length);
      expect(locations.map((l) => l.gateway)).toEqual(next);
      for (const l of locations) if (before.has(l.gateway)) expect(l.slot).toBe(before.get(l.gateway));
      expect(Math.max(...locations.map((l) => l.slot))).toBeLessThan(16);
    }
  });
});
