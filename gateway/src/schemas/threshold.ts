// Threshold overrides on servers and probes: stored and validated here, turned into alert rules by the plugin.
import { Type, type Static } from 'typebox';
import { Duration, RULE } from './common.js';

export const THRESHOLD_KINDS = ['availability', 'availabilityRatio', 'connectTime', 'certExpiry'] as const;
export const THRESHOLD_LEVELS = ['warning', 'critical'] as const;

/** A `team` label value: what notification policies and Alertmanager routes match on. */
export const Team = Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_.:-]*$', [RULE]: 'be letters, digits, _ . : or -' });

export const Threshold = Type.Object(
  {
    kind: Type.Enum(THRESHOLD_KINDS, {
      description: 'availability: down for `for` and/or `consecutiveChecks`; availabilityRatio: percent up over `window` below `value`; connectTime: above `value` ms for `for`; certExpiry: the TLS certificate chain expires in less than `value` days (probes with TLS have warning 14 and critical 3 by default)',
    }),
    level: Type.Enum(THRESHOLD_LEVELS),
    value: Type.Optional(Type.Number({ minimum: 0, description: 'percent for availabilityRatio, milliseconds for connectTime, days for certExpiry; unused for availability' })),
    for: Type.Optional(Duration),
    consecutiveChecks: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'availability: down for this many checks in a row; with `for`, both must hold' })),
    minFailingLocations: Type.Optional(Type.Integer({
      minimum: 1,
      maximum: 16,
      description: 'availability: locations (gateways) that must see the probe down before it alerts; default 1 for a server on one gateway, else a majority. Fewer locations down, while another sees it up, raise a TcpProbePathDown per location instead',
    })),
    window: Type.Optional(Type.Union([Duration], { description: 'availabilityRatio: the window the ratio is taken over (default 1h)' })),
    team: Type.Optional(Team),
    contactPoint: Type.Optional(Type.String({ maxLength: 190 })),
    runbookUrl: Type.Optional(Type.String({ maxLength: 2048, pattern: '^https?://\\S+$', [RULE]: 'be an http(s) URL' })),
  },
  { additionalProperties: false },
);
export type Threshold = Static<typeof Threshold>;

export const Thresholds = Type.Array(Threshold, { maxItems: 20 });
