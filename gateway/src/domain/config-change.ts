// Building configuration changes: the complete form listeners get, and the one that asks them to re-read everything.
import type { ConfigChange } from './config-service.js';

export function completeChange(change: Partial<ConfigChange>): ConfigChange {
  return { probeIds: [], removedProbeIds: [], serverIds: [], scheduleIds: [], ...change };
}

/** Everything may have changed (notifications missed, or one too big to send): re-read all. */
export const FULL_CHANGE: ConfigChange = Object.freeze(completeChange({ full: true }));
