// Request validation: strict for bodies (no coercion, unknown fields rejected), lenient for query strings,
// and Ajv's errors turned into messages that name the field and the rule.
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { FieldProblem } from '../schemas/common.js';
import { RULE } from '../schemas/common.js';
import { atLeastMessage, atMostMessage, betweenMessage, maxLengthMessage, minLengthMessage, ruleMessage, typeMessage } from '../domain/field-rules.js';

// ajv-formats is CommonJS; imported from ESM its plugin function is the module and also its `.default`.
const addFormats = (addFormatsModule as unknown as { default: (ajv: Ajv) => Ajv }).default;

function makeAjv(coerceTypes: boolean | 'array'): Ajv {
  const ajv = new Ajv({ allErrors: true, verbose: true, coerceTypes, useDefaults: false, removeAdditional: false, strict: false });
  addFormats(ajv);
  ajv.addKeyword({ keyword: RULE, schemaType: 'string' });
  return ajv;
}

const bodyAjv = makeAjv(false);
const parameterAjv = makeAjv('array');

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodyAjv : parameterAjv).compile(schema) as ReturnType<FastifySchemaCompiler<object>>;

/** Compiles a schema with the body rules, for documents that arrive outside a route's body (e.g. YAML). */
export function compileBodyValidator(schema: object) {
  return bodyAjv.compile(schema);
}

function fieldPath(instancePath: string, child?: string): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  return parts.reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path === '' ? part : `${path}.${part}`), '') || '(body)';
}

function describe(error: ErrorObject): FieldProblem {
  const parent = (error.parentSchema ?? {}) as Record<string, unknown>;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { field: fieldPath(error.instancePath, String(params.missingProperty)), message: 'is required' };
    case 'additionalProperties':
      return { field: fieldPath(error.instancePath, String(params.additionalProperty)), message: 'is not a known field' };
    case 'minimum':
    case 'maximum':
      if (typeof parent.minimum === 'number' && typeof parent.maximum === 'number') {
        return { field: fieldPath(error.instancePath), message: betweenMessage({ minimum: parent.minimum, maximum: parent.maximum }) };
      }
      return { field: fieldPath(error.instancePath), message: (error.keyword === 'minimum' ? atLeastMessage : atMostMessage)(Number(params.limit)) };
    case 'minLength':
      return { field: fieldPath(error.instancePath), message: minLengthMessage(Number(params.limit)) };
    case 'maxLength':
      return { field: fieldPath(error.instancePath), message: maxLengthMessage(Number(params.limit)) };
    case 'maxItems':
      return { field: fieldPath(error.instancePath), message: `must have at most ${String(params.limit)} entries` };
    case 'minItems':
      return { field: fieldPath(error.instancePath), message: `must have at least ${String(params.limit)} entries` };
    case 'uniqueItems':
      return { field: fieldPath(error.instancePath), message: 'must not repeat an entry' };
    case 'pattern':
      return { field: fieldPath(error.instancePath), message: typeof parent[RULE] === 'string' ? ruleMessage(parent[RULE]) : `must match ${String(params.pattern)}` };
    case 'type':
      return { field: fieldPath(error.instancePath), message: typeMessage(String(params.type)) };
    case 'const':
      return { field: fieldPath(error.instancePath), message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'enum':
      return { field: fieldPath(error.instancePath), message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'format':
      return { field: fieldPath(error.instancePath), message: `must be a valid ${String(params.format)}` };
    default:
      return { field: fieldPath(error.instancePath), message: error.message ?? 'is invalid' };
  }
}

/**
 * One problem per field. TypeBox writes nullable fields and literal unions as anyOf, for which Ajv reports every
 * branch; a user wants the branch that explains the value they sent, not "must be null".
 */
export function describeValidationErrors(errors: readonly ErrorObject[]): FieldProblem[] {
  const byPath = new Map<string, ErrorObject[]>();
  for (const error of errors) {
    const key = error.keyword === 'required' || error.keyword === 'additionalProperties' ? `${error.instancePath}#${JSON.stringify(error.params)}` : error.instancePath;
    byPath.set(key, [...(byPath.get(key) ?? []), error]);
  }
  const problems: FieldProblem[] = [];
  for (const group of byPath.values()) {
    const inUnion = group.some((e) => e.keyword === 'anyOf');
    const consts = group.filter((e) => e.keyword === 'const');
    if (inUnion && consts.length > 1) {
      const allowed = consts.map((e) => JSON.stringify((e.params as { allowedValue: unknown }).allowedValue));
      problems.push({ field: fieldPath(group[0]!.instancePath), message: `must be one of ${allowed.join(', ')}` });
      continue;
    }
    const meaningful = group.filter((e) => e.keyword !== 'anyOf' && !(inUnion && e.keyword === 'type' && (e.params as { type: string }).type === 'null'));
    const chosen = meaningful[0] ?? group[0]!;
    const problem = describe(chosen);
    if (inUnion && chosen.keyword === 'type') problem.message = typeMessage(String((chosen.params as { type: string }).type), true);
    problems.push(problem);
  }
  return problems;
}
