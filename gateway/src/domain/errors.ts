// Errors the API turns into 4xx answers: each names the field or the object it is about.
import type { FieldProblem } from '../schemas/common.js';

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly problems: FieldProblem[] = [],
  ) {
    super(message);
  }
}

/** One or more fields break a rule; 400 with every problem listed, the first in `message`. */
export class ValidationError extends ApiError {
  constructor(problems: FieldProblem[], statusCode = 400) {
    const first = problems[0]!;
    super(statusCode, `${first.field} ${first.message}`, problems);
  }
}

export class NotFoundError extends ApiError {
  constructor(kind: string, id: number | string) {
    super(404, `${kind} ${id} does not exist`);
  }
}

/** An update carried a version that is no longer current: someone else changed the object first. */
export class VersionConflictError extends ApiError {
  constructor(kind: string, id: number, sent: number, current: number) {
    super(409, `${kind} ${id} was changed by someone else (you sent version ${sent}, current is ${current}); reload and apply your change again`, [
      { field: 'version', message: `is stale: current is ${current}` },
    ]);
  }
}

/** A unique name or a reference would be broken. */
export class ConflictError extends ApiError {
  constructor(field: string, message: string) {
    super(409, `${field} ${message}`, [{ field, message }]);
  }
}
