// Expect patterns come from users and run on the event loop against whatever a target sends. V8's usual engine
// backtracks, so a pattern like (a+)+$ can take seconds on a 30-byte line (17 s measured here); its linear-time
// engine (the `l` flag) cannot, and like Go's regexp, which blackbox_exporter matches with, it has no backreferences
// or lookaround, the features that need backtracking.
import v8 from 'node:v8';

v8.setFlagsFromString('--enable-experimental-regexp-engine');

/** Whether this V8 has the linear engine; where it does not, patterns compile as usual (and may backtrack). */
const LINEAR_ENGINE = (() => {
  try {
    new RegExp('a', 'l');
    return true;
  } catch {
    return false;
  }
})();

/** Compiles an expect pattern for linear-time matching; throws a SyntaxError whose message says what is wrong. */
export function linearRegExp(source: string): RegExp {
  const regex = new RegExp(source); // a syntax error reads as it always does
  if (!LINEAR_ENGINE) return regex;
  try {
    return new RegExp(source, 'l');
  } catch {
    throw new SyntaxError('uses a backreference or lookaround, which cannot be matched in linear time (as in blackbox_exporter)');
  }
}
