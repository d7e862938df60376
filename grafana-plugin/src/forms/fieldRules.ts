// The gateway's field rules (gateway/src/domain/field-rules.ts) as zod schemas for the forms, in the gateway's words:
// a value a form refuses carries the message the gateway's 400 would give that field. Pure.
import { z } from 'zod';
import {
  betweenMessage,
  maxLengthMessage,
  minLengthMessage,
  ruleMessage,
  typeMessage,
  type FieldRuleProblem,
  type Range,
  type TextRule,
} from '../../../gateway/src/domain/field-rules.js';
import { sentence } from './gatewayFormErrors';

/**
 * A whole number within `range`. An empty number input is NaN, which the form would send as null: "not an integer"
 * is what the gateway says to that. `orNull`: the field also takes null, and the gateway says so.
 */
export function integerWithin(range: Range, orNull = false) {
  const notInteger = sentence(typeMessage('integer', orNull));
  const outside = sentence(betweenMessage(range));
  return z.number({ error: notInteger }).int(notInteger).min(range.minimum, outside).max(range.maximum, outside);
}

/**
 * A text as the form sends it (trimmed), checked in the gateway's order: length, then pattern. `optional`: empty is
 * sent as null ("not set"), which the gateway takes whatever the rule.
 */
export function textFollowing(rule: TextRule, { optional = false } = {}) {
  let text = z.string().trim();
  if (rule.maxLength !== undefined) text = text.max(rule.maxLength, sentence(maxLengthMessage(rule.maxLength)));
  if (rule.minLength !== undefined && !optional) text = text.min(rule.minLength, sentence(minLengthMessage(rule.minLength)));
  if (rule.pattern === undefined) return text;
  // Ajv compiles patterns with the u flag.
  const pattern = new RegExp(rule.pattern, 'u');
  const message = sentence(rule.rule === undefined ? `must match ${rule.pattern}` : ruleMessage(rule.rule));
  return text.refine((value) => (optional && value === '') || pattern.test(value), message);
}

/**
 * A list of names each following `rule`, `range` entries long, none repeated: a server's `gateways`. Problems with one
 * entry sit on that entry (`gateways[1]`, as the gateway names them); the count and repeats on the list. The list
 * words are the gateway's validation answers to minItems, maxItems and uniqueItems (gateway/src/api/validation.ts).
 */
export function uniqueListOf(rule: TextRule, range: Range) {
  return z
    .array(textFollowing(rule))
    .min(range.minimum, sentence(`must have at least ${range.minimum} entries`))
    .max(range.maximum, sentence(`must have at most ${range.maximum} entries`))
    .refine((names) => new Set(names).size === names.length, sentence('must not repeat an entry'));
}

/** Adds a rule across fields to a form's issues, on the field the gateway would name, in its words. */
export function addProblem<T>(ctx: z.RefinementCtx<T>, problem: FieldRuleProblem | null): void {
  if (problem !== null) ctx.addIssue({ code: 'custom', path: [problem.field], message: sentence(problem.message) });
}

/**
 * Runs a rule across fields only while each of `fields` is valid on its own: the gateway judges the fields one by one
 * before it compares them, and a comparison with a value already refused says nothing new.
 */
export function whileValid(fields: readonly string[]) {
  return { when: (payload: z.core.ParsePayload) => !payload.issues.some((issue) => fields.includes(String(issue.path?.[0]))) };
}
