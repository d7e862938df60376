// One probe check: the plain connect check, or a deeper one (TLS, a send/expect dialogue) when the probe asks for it.
import { checkDeep } from './deep-check.js';
import type { Resolver } from './resolve.js';
import { checkTcp } from './tcp.js';
import type { CheckRequest, CheckResult } from './types.js';

/** Never rejects. A plain request goes to checkTcp as it is, so plain checks keep their cost and result shape. */
export function checkProbe(request: CheckRequest, deps: { resolver: Resolver }): Promise<CheckResult> {
  if (!request.tls && !request.dialogue?.length) return checkTcp(request, deps);
  return checkDeep(request, deps);
}
