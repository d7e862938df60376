// For page tests against a test gateway started with GATEWAY_MAX_IN_FLIGHT 1: a check that holds its only in-flight
// slot for a set time, so the other probes' slots really wait (and start late) or are skipped (still queued).
import type { ProbeStatus } from '../../api/types';
import type { TestGateway } from '../../test/gatewayHarness';
import { startUnansweredListener } from '../../../../gateway/test/helpers/listeners';
import { windowOpeningIn2h } from './windowsForTests';

export interface SlotHolder {
  /** Takes the slot now: a run of the holder's probe, which times out after the hold. Resolves when it frees the slot. */
  hold(): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * A probe of `serverId` against a target that drops SYNs, outside its window so only a run starts it: its check
 * holds the slot for its whole timeout, `holdMs`.
 */
export async function slotHolder(gateway: TestGateway, serverId: number, holdMs: number): Promise<SlotHolder> {
  const silent = await startUnansweredListener();
  const probe = await gateway.seed.createProbe(serverId, {
    name: 'holder',
    host: '127.0.0.1',
    port: silent.port,
    timeoutMs: holdMs,
    intervalSeconds: 3600,
    ...windowOpeningIn2h(),
  });
  return { hold: () => gateway.seed.runProbe(probe.id), close: () => silent.close() };
}

/** The probe's /status item once `ready` holds for it (polled every 50 ms, for at most `withinMs`). */
export async function statusWhen(gateway: TestGateway, probeId: number, ready: (status: ProbeStatus) => boolean, withinMs = 10_000): Promise<ProbeStatus> {
  const giveUpAt = Date.now() + withinMs;
  for (;;) {
    const { items } = await gateway.seed.request<{ items: ProbeStatus[] }>('GET', `/api/v1/status?probeId=${probeId}`);
    const status = items[0];
    if (status && ready(status)) return status;
    if (Date.now() > giveUpAt) throw new Error(`probe ${probeId}: /status did not reach the expected state within ${withinMs} ms: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
