// Where each location of a server sits in its probes' intervals: a small number per (server, gateway) that the
// scheduler turns into a phase. Pure.

export interface LocationSlot {
  gateway: string;
  slot: number;
}

export interface SlotAssignment {
  /** The server's locations in the order given, each with its slot. */
  locations: LocationSlot[];
  /** Locations replaced in this save: the new gateway took the old one's slot, so it hands over as a move does. */
  moves: { fromGateway: string; toGateway: string }[];
}

/**
 * Gateways that stay keep their slots, so adding or removing a location never shifts the others' checks. A new
 * gateway takes the slot of one removed in the same save (a location replaced: the new one runs the old one's slots,
 * without a gap or a double run), else the smallest slot nobody holds. The first location of a new server is slot 0,
 * which is the phase a one-location server always had.
 */
export function assignSlots(previous: readonly LocationSlot[], next: readonly string[]): SlotAssignment {
  const kept = new Map(previous.filter((p) => next.includes(p.gateway)).map((p) => [p.gateway, p.slot]));
  const freed = previous.filter((p) => !next.includes(p.gateway)).sort((a, b) => a.slot - b.slot);
  const taken = new Set(kept.values());
  const moves: SlotAssignment['moves'] = [];
  const locations = next.map((gateway) => {
    const slot = kept.get(gateway);
    if (slot !== undefined) return { gateway, slot };
    const replaced = freed.shift();
    if (replaced) {
      moves.push({ fromGateway: replaced.gateway, toGateway: gateway });
      taken.add(replaced.slot);
      return { gateway, slot: replaced.slot };
    }
    let free = 0;
    while (taken.has(free)) free++;
    taken.add(free);
    return { gateway, slot: free };
  });
  return { locations, moves };
}
