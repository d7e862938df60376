// One location of a probe as the state badge reads it: its own state and reason from /status `locations`; when it is
// checked next and whether it kept its slot are known only for the gateway that answers. Pure.
import type { LocationStatus, ProbeStatus } from '../../api/types';
import type { StatusFacts } from '../../components/ProbeState/explainState';

export function locationFacts(status: ProbeStatus, location: LocationStatus): StatusFacts {
  const own = location.self;
  return {
    state: location.state,
    reason: location.reason,
    nextCheckAt: own ? status.nextCheckAt : null,
    windowOpensAt: location.reason === 'outside_window' ? status.windowOpensAt : null,
    timeliness: own ? status.timeliness : null,
    missedSlotAt: own ? status.missedSlotAt : null,
    missedSlotReason: own ? status.missedSlotReason : null,
    lastCheckedAt: location.lastResult?.checkedAt ?? null,
  };
}
