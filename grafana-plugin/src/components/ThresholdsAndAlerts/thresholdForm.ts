// The thresholds editor's values, its rules (the gateway's, gateway/src/schemas/threshold.ts and domain/validate.ts,
// in the form's words) and the conversions between thresholds and the form. Pure.
import { z } from 'zod';
import { downCondition } from '../../alerting/mapping';
import type { Threshold } from '../../api/types';

export type ThresholdKind = Threshold['kind'];
export type ThresholdLevel = Threshold['level'];

export const KINDS = ['availability', 'availabilityRatio', 'connectTime', 'certExpiry'] as const satisfies readonly ThresholdKind[];
export const LEVELS: readonly ThresholdLevel[] = ['warning', 'critical'];

export const KIND_LABELS: Record<ThresholdKind, string> = {
  availability: 'Availability (down)',
  availabilityRatio: 'Availability ratio',
  connectTime: 'Connect time',
  certExpiry: 'Certificate expiry',
};

export const KIND_DESCRIPTIONS: Record<ThresholdKind, string> = {
  availability: 'Alerts once a probe has failed a number of checks in a row and has stayed down for a time after that',
  availabilityRatio: 'Alerts when the share of successful checks over a window drops below a percentage',
  connectTime: 'Alerts when connecting takes longer than a number of milliseconds',
  certExpiry: 'Alerts when the TLS certificate chain of a probe with TLS expires in fewer than a number of days (by default: warning 14, critical 3)',
};

export const LEVEL_LABELS: Record<ThresholdLevel, string> = { warning: 'Warning', critical: 'Critical' };

/** The unit of `value`, none for availability. */
export const VALUE_UNITS: Record<ThresholdKind, string | null> = { availability: null, availabilityRatio: '%', connectTime: 'ms', certExpiry: 'days' };

/** What the value of a kind that has one means, next to its input. */
export const VALUE_DESCRIPTIONS: Record<ThresholdKind, string> = {
  availability: '',
  availabilityRatio: 'Up less than this share',
  connectTime: 'Slower than this',
  certExpiry: 'Expires in fewer days than this',
};

const DURATION = /^([0-9]+(ms|s|m|h|d|w))+$/;
const DURATION_HINT = 'Must be a duration such as 30s, 5m or 1h30m';

/** A `team` label value as the gateway's Team rule has it (gateway/src/schemas/threshold.ts); '' for none. */
export const teamText = z.string().trim().max(64, 'Must be at most 64 characters').regex(/^[A-Za-z0-9_.:-]*$/, 'Must be letters, digits, _ . : or -');

/** One threshold as the form holds it: numbers as typed, '' for "not set". */
export interface ThresholdRow {
  kind: ThresholdKind;
  level: ThresholdLevel;
  value: string;
  for: string;
  consecutiveChecks: string;
  /** availability on a server of several gateways: locations that must see it down; '' for the default. */
  minFailingLocations: string;
  window: string;
  team: string;
  contactPoint: string;
  runbookUrl: string;
}

export interface ThresholdsFormValues {
  thresholds: ThresholdRow[];
}

const row = z
  .object({
    kind: z.enum(KINDS),
    level: z.enum(['warning', 'critical']),
    value: z.string().trim(),
    for: z.string().trim().regex(new RegExp(`^$|${DURATION.source}`), DURATION_HINT),
    consecutiveChecks: z.string().trim(),
    minFailingLocations: z.string().trim(),
    window: z.string().trim().regex(new RegExp(`^$|${DURATION.source}`), DURATION_HINT),
    team: teamText,
    contactPoint: z.string().trim().max(190, 'Must be at most 190 characters'),
    runbookUrl: z.string().trim().max(2048, 'Must be at most 2048 characters').regex(/^$|^https?:\/\/\S+$/, 'Must be an http(s) URL'),
  })
  .superRefine((values, context) => {
    const value = Number(values.value);
    if (values.kind === 'availabilityRatio' && (values.value === '' || !(value > 0 && value <= 100))) {
      context.addIssue({ code: 'custom', path: ['value'], message: 'Must be a percentage above 0 and at most 100' });
    }
    if (values.kind === 'connectTime' && (values.value === '' || !(value > 0 && value <= 60000))) {
      context.addIssue({ code: 'custom', path: ['value'], message: 'Must be milliseconds above 0 and at most 60000' });
    }
    if (values.kind === 'certExpiry' && (values.value === '' || !(value > 0 && value <= 3650))) {
      context.addIssue({ code: 'custom', path: ['value'], message: 'Must be days above 0 and at most 3650' });
    }
    if (values.kind === 'availability' && values.consecutiveChecks !== '') {
      const checks = Number(values.consecutiveChecks);
      if (!Number.isInteger(checks) || checks < 1 || checks > 100) {
        context.addIssue({ code: 'custom', path: ['consecutiveChecks'], message: 'Must be a whole number from 1 to 100' });
      }
    }
    if (values.kind === 'availability' && values.minFailingLocations !== '') {
      const locations = Number(values.minFailingLocations);
      if (!Number.isInteger(locations) || locations < 1 || locations > 16) {
        context.addIssue({ code: 'custom', path: ['minFailingLocations'], message: 'Must be a whole number from 1 to 16' });
      }
    }
  });

export const thresholdsFormSchema = z
  .object({ thresholds: z.array(row).max(20, 'At most 20 thresholds') })
  .superRefine((values, context) => {
    const seen = new Set<string>();
    values.thresholds.forEach((threshold, index) => {
      const key = `${threshold.kind}/${threshold.level}`;
      if (seen.has(key)) {
        context.addIssue({
          code: 'custom',
          path: ['thresholds', index, 'level'],
          message: `Another threshold already sets ${KIND_LABELS[threshold.kind]} at level ${threshold.level}; keep one`,
        });
      }
      seen.add(key);
    });
  });

/**
 * The form's rules for a server on `gatewayCount` gateways: a quorum above them could never be met (the gateway's
 * words for it, gateway/src/domain/validate.ts).
 */
export function thresholdsFormSchemaFor(gatewayCount: number) {
  return thresholdsFormSchema.superRefine((values, context) => {
    values.thresholds.forEach((threshold, index) => {
      if (threshold.kind !== 'availability' || threshold.minFailingLocations === '') return;
      if (Number(threshold.minFailingLocations) > gatewayCount) {
        context.addIssue({
          code: 'custom',
          path: ['thresholds', index, 'minFailingLocations'],
          message: `Must be at most ${gatewayCount}: the server runs from ${gatewayCount === 1 ? '1 gateway' : `${gatewayCount} gateways`}`,
        });
      }
    });
  });
}

export function toThresholdRow(threshold: Threshold): ThresholdRow {
  return {
    kind: threshold.kind,
    level: threshold.level,
    value: threshold.value === undefined ? '' : String(threshold.value),
    for: threshold.for ?? '',
    consecutiveChecks: threshold.consecutiveChecks === undefined ? '' : String(threshold.consecutiveChecks),
    minFailingLocations: threshold.minFailingLocations === undefined ? '' : String(threshold.minFailingLocations),
    window: threshold.window ?? '',
    team: threshold.team ?? '',
    contactPoint: threshold.contactPoint ?? '',
    runbookUrl: threshold.runbookUrl ?? '',
  };
}

/** The threshold the gateway stores: fields the kind does not use and empty ones left out. */
export function toThreshold(values: ThresholdRow): Threshold {
  const threshold: Threshold = { kind: values.kind, level: values.level };
  if (values.kind !== 'availability' && values.value.trim() !== '') threshold.value = Number(values.value);
  if (values.for.trim() !== '') threshold.for = values.for.trim();
  if (values.kind === 'availability' && values.consecutiveChecks.trim() !== '') threshold.consecutiveChecks = Number(values.consecutiveChecks);
  if (values.kind === 'availability' && values.minFailingLocations.trim() !== '') threshold.minFailingLocations = Number(values.minFailingLocations);
  if (values.kind === 'availabilityRatio' && values.window.trim() !== '') threshold.window = values.window.trim();
  if (values.team.trim() !== '') threshold.team = values.team.trim();
  if (values.contactPoint.trim() !== '') threshold.contactPoint = values.contactPoint.trim();
  if (values.runbookUrl.trim() !== '') threshold.runbookUrl = values.runbookUrl.trim();
  return threshold;
}

export function toThresholds(values: ThresholdsFormValues): Threshold[] {
  return values.thresholds.map(toThreshold);
}

/** A new row's value by kind: the gateway's certExpiry defaults per level. */
const NEW_ROW_VALUES: Partial<Record<ThresholdKind, (level: ThresholdLevel) => string>> = {
  availabilityRatio: () => '99',
  connectTime: () => '250',
  certExpiry: (level) => (level === 'critical' ? '3' : '14'),
};

/** A new row: the first kind and level the list does not set yet, the app's default team. */
export function newThresholdRow(existing: ReadonlyArray<Pick<ThresholdRow, 'kind' | 'level'>>, defaultTeam = ''): ThresholdRow {
  const taken = new Set(existing.map((threshold) => `${threshold.kind}/${threshold.level}`));
  const [kind, level] = KINDS.flatMap((k) => LEVELS.map((l) => [k, l] as const)).find(([k, l]) => !taken.has(`${k}/${l}`)) ?? ['availability', 'critical'];
  return {
    kind,
    level,
    value: NEW_ROW_VALUES[kind]?.(level) ?? '',
    for: kind === 'availability' ? '5m' : kind === 'connectTime' ? '10m' : '',
    consecutiveChecks: kind === 'availability' ? '2' : '',
    minFailingLocations: '',
    window: '',
    team: defaultTeam,
    contactPoint: '',
    runbookUrl: '',
  };
}

/**
 * What the threshold's rule does: "down for 5m after 2 failed checks in a row" (in the words of the alert itself),
 * "up less than 99.5% over 1h", "slower than 250 ms for 10m".
 */
export function describeThreshold(threshold: Threshold): string {
  const hold = threshold.for ? ` for ${threshold.for}` : '';
  switch (threshold.kind) {
    case 'availability':
      return `down ${downCondition(threshold)}`;
    case 'availabilityRatio':
      return `up less than ${threshold.value}% over ${threshold.window ?? '1h'}${hold}`;
    case 'connectTime':
      return `slower than ${threshold.value} ms${hold}`;
    case 'certExpiry':
      return `certificate expires in less than ${threshold.value} days${hold}`;
  }
}

/** `thresholds[2].value` (the gateway's field path) -> `thresholds.2.value` (the form's). */
export function formFieldOf(gatewayField: string): string | null {
  const match = /^thresholds\[(\d+)\](?:\.(\w+))?$/.exec(gatewayField);
  if (!match) return null;
  return match[2] ? `thresholds.${match[1]}.${match[2]}` : `thresholds.${match[1]}.level`;
}
