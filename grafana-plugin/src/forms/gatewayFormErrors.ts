// Where a gateway error belongs in a form: problems on fields the form shows go next to those fields, everything
// else (other fields, a stale version, an unreachable gateway) into one banner. Pure.
import type { GatewayError } from '../api/errors';

export interface FieldError<F extends string> {
  field: F;
  message: string;
}

export interface FormErrors<F extends string> {
  fields: Array<FieldError<F>>;
  /** Text for a banner above the form; null when every problem sits on a field. */
  banner: string | null;
  /** Someone else changed the object: offer to reload instead of to retry. */
  staleVersion: boolean;
}

/** "must be between 100 and 60000" -> "Must be between 100 and 60000". */
export function sentence(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/** The form field a gateway path belongs to: `thresholds[0].value` -> `thresholds`. */
export function topLevelField(path: string): string {
  return path.split(/[.[]/, 1)[0] ?? path;
}

/**
 * `formFields`: the top-level fields the form shows; or, for a form whose fields are not the gateway's names (a list's
 * entries, a nested object), where a gateway path goes in the form, undefined where the form does not show it.
 */
export function formErrorsFrom<F extends string>(error: GatewayError, formFields: readonly F[] | ((path: string) => F | undefined)): FormErrors<F> {
  if (error.isStaleVersion) return { fields: [], banner: error.message, staleVersion: true };
  const place =
    typeof formFields === 'function'
      ? formFields
      : (path: string) => {
          const field = topLevelField(path) as F;
          return formFields.includes(field) ? field : undefined;
        };
  const fields: Array<FieldError<F>> = [];
  const elsewhere: string[] = [];
  for (const problem of error.problems) {
    const field = place(problem.field);
    if (field === undefined) elsewhere.push(`${problem.field} ${problem.message}`);
    else if (!fields.some((f) => f.field === field)) fields.push({ field, message: sentence(problem.message) });
  }
  if (fields.length === 0) return { fields, banner: error.message, staleVersion: false };
  return { fields, banner: elsewhere.length > 0 ? elsewhere.join('; ') : null, staleVersion: false };
}
