// Schema pieces shared by every resource: ids, names, audit fields, pages and errors.
import { Type, type Static, type TSchema } from 'typebox';
import { HH_MM_RULE, NAME_RULE, type TextRule } from '../domain/field-rules.js';

/** A rule in words, shown in 4xx messages when a pattern or format does not match. */
export const RULE = 'x-rule';

export const Id = Type.Integer({ minimum: 1, description: 'Numeric id assigned by the gateway' });
export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });

/** A string schema of a shared field rule, its pattern said in words in 4xx messages. */
export const RuleString = ({ rule, ...limits }: TextRule, options: Record<string, unknown> = {}) =>
  Type.String({ ...limits, ...(rule === undefined ? {} : { [RULE]: rule }), ...options });

export const Name = RuleString(NAME_RULE);
export const Text = (maxLength: number) => Type.String({ maxLength });
export const OptionalText = (maxLength: number) => Type.Union([Type.String({ maxLength }), Type.Null()]);

export const HhMm = RuleString(HH_MM_RULE, { examples: ['22:00'] });

/** Durations as Prometheus and Grafana write them: 30s, 5m, 1h30m. */
export const Duration = Type.String({
  pattern: '^([0-9]+(ms|s|m|h|d|w))+$',
  maxLength: 32,
  [RULE]: 'be a duration such as 30s, 5m or 1h30m',
});

/** The same fields, each optional: what a create or replace request may leave out. */
export function optionalFields<T extends Record<string, TSchema>>(fields: T) {
  return Object.fromEntries(Object.entries(fields).map(([key, schema]) => [key, Type.Optional(schema)])) as {
    [K in keyof T]: ReturnType<typeof Type.Optional<T[K]>>;
  };
}

export const Version = Type.Integer({ minimum: 1, description: 'Incremented on every change; send it back to update (stale versions get 409)' });

export const Audit = {
  version: Version,
  createdAt: Type.String({ format: 'date-time' }),
  createdBy: Type.String(),
  updatedAt: Type.String({ format: 'date-time' }),
  updatedBy: Type.String(),
};

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  q: Type.Optional(Type.String({ maxLength: 128, description: 'Case-insensitive text search' })),
};

export function Page<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    total: Type.Integer({ description: 'Matching objects across all pages' }),
    limit: Type.Integer(),
    offset: Type.Integer(),
  });
}

export const FieldProblem = Type.Object({
  field: Type.String({ description: 'Path of the offending field, e.g. thresholds[0].value' }),
  message: Type.String(),
});
export type FieldProblem = Static<typeof FieldProblem>;

export const ErrorBody = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String(),
  message: Type.String({ description: 'The first problem in words, naming the field' }),
  field: Type.Optional(Type.String()),
  problems: Type.Optional(Type.Array(FieldProblem)),
});
export type ErrorBody = Static<typeof ErrorBody>;

export const ErrorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
};
