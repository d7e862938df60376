// Applies a server's thresholds to Grafana after anything that changes what its rules should be (server or probe
// saved or deleted, thresholds edited): computes the server's group and the gateway-down group from the gateway's
// current state, and writes to Grafana only what differs from what Grafana has. Runs as the signed-in user.
import { AppEvents } from '@grafana/data';
import { config, getAppEvents } from '@grafana/runtime';
import { listAllServers } from '../api/servers';
import { compareRuleGroup, inSync } from './diff';
import { loadGatewayTeams, loadServerConfig } from './gatewayConfig';
import { deleteAlertRule, deleteRuleGroup, ensureFolder, getAppJsonData, getRuleGroup, isAlertingError, putRuleGroup, toAlertingError } from './grafanaApi';
import { GATEWAY_GROUP, groupName, type AlertRuleGroup } from './mapping';
import { gatewayRuleGroup, serverRuleGroup } from './rules';
import { alertingTarget, NO_PROMETHEUS_MESSAGE, type AlertingTarget, type AlertingTargetResult, type GrafanaEnvironment } from './settings';

export interface GroupWrite {
  folderUid: string;
  group: string;
  /** put: the group written; delete: the group removed; deleteRule: one rule (`uid`) removed from it. */
  action: 'put' | 'delete' | 'deleteRule';
  uid?: string;
}

export type SyncOutcome =
  /** Grafana has what the configuration asks for; `writes` says what had to change (nothing when it had it already). */
  | { status: 'synced'; target: AlertingTarget; writes: GroupWrite[] }
  /** No Prometheus data source is configured: nothing was written. */
  | { status: 'notConfigured'; message: string }
  | { status: 'failed'; error: Error; forbidden: boolean; writes: GroupWrite[] };

/** Grafana's public URL (for the links in alerts; the page's own origin when Grafana does not say) and the user's org. */
export function grafanaEnvironment(): GrafanaEnvironment {
  return { appUrl: config.appUrl || `${window.location.origin}${config.appSubUrl ?? ''}/`, orgId: config.bootData.user.orgId ?? 1 };
}

/** The alerting settings as stored now. */
export async function currentAlertingTarget(): Promise<AlertingTargetResult> {
  return alertingTarget(await getAppJsonData(), grafanaEnvironment());
}

/** One sync at a time: two saves in a row must not interleave their reads and writes of the same groups. */
let queue: Promise<unknown> = Promise.resolve();
export function oneAtATime<T>(task: () => Promise<T>): Promise<T> {
  const run = queue.then(task, task);
  queue = run.catch(() => undefined);
  return run;
}

/** Writes the groups whose content differs from Grafana's, deletes those Grafana has and should not. */
export class GroupWriter {
  readonly writes: GroupWrite[] = [];
  private folderReady = false;

  constructor(private readonly target: AlertingTarget) {}

  /** Makes Grafana's group `group` in `folderUid` equal `desired` (null: no such group). */
  async apply(folderUid: string, group: string, desired: AlertRuleGroup | null): Promise<void> {
    const actual = await getRuleGroup(folderUid, group);
    if (desired) {
      // Saving again what Grafana already has would only churn its rule versions.
      if (actual && inSync(compareRuleGroup(desired, actual))) return;
      await this.put(desired);
    } else if (actual && actual.rules.length > 0) {
      await this.remove(folderUid, group);
    }
  }

  async put(desired: AlertRuleGroup): Promise<void> {
    if (!this.folderReady && desired.folderUid === this.target.folderUid) {
      await ensureFolder(this.target.folderUid, this.target.folderTitle);
      this.folderReady = true;
    }
    await putRuleGroup(desired);
    this.writes.push({ folderUid: desired.folderUid, group: desired.title, action: 'put' });
  }

  async remove(folderUid: string, group: string): Promise<void> {
    await deleteRuleGroup(folderUid, group);
    this.writes.push({ folderUid, group, action: 'delete' });
  }

  async removeRule(folderUid: string, group: string, uid: string): Promise<void> {
    await deleteAlertRule(uid);
    this.writes.push({ folderUid, group, action: 'deleteRule', uid });
  }
}

function failed(error: unknown, writes: GroupWrite[]): SyncOutcome {
  const reason = error instanceof Error ? error : new Error(String(error));
  return { status: 'failed', error: reason, forbidden: isAlertingError(reason) && reason.kind === 'forbidden', writes };
}

async function syncServer(serverId: number): Promise<SyncOutcome> {
  let resolved: AlertingTargetResult;
  try {
    resolved = await currentAlertingTarget();
  } catch (error) {
    return failed(toAlertingError(error, 'read the app settings'), []);
  }
  if (!resolved.ok) return { status: 'notConfigured', message: NO_PROMETHEUS_MESSAGE };
  const { target } = resolved;
  const writer = new GroupWriter(target);
  try {
    // A deleted server (404) has no group any more.
    const [loaded, gateways] = await Promise.all([loadServerConfig(serverId), loadGatewayTeams()]);
    await writer.apply(target.folderUid, groupName({ id: serverId }), loaded ? serverRuleGroup(loaded.server, loaded.probes, target, gateways) : null);
    await writer.apply(target.folderUid, GATEWAY_GROUP, gatewayRuleGroup(await listAllServers(), target));
    return { status: 'synced', target, writes: writer.writes };
  } catch (error) {
    return failed(error, writer.writes);
  }
}

/**
 * Brings server `serverId`'s alert rules (and the gateway-down rule) in line with the gateway; call it after every
 * successful change of the server, its probes or their thresholds, and after deleting the server. Never throws: the
 * outcome says what happened.
 */
export function syncServerRules(serverId: number): Promise<SyncOutcome> {
  return oneAtATime(() => syncServer(serverId));
}

export const SYNC_FAILED_TITLE = 'Alert rules not updated';

/** The outcome in a sentence for a banner or a notification; null when there is nothing to say. */
export function syncFailureText(outcome: SyncOutcome): string | null {
  if (outcome.status !== 'failed') return null;
  return `The change is saved, but Grafana's alert rules still follow the previous configuration. ${outcome.error.message} The Alert rules page shows what differs and repairs it.`;
}

/**
 * syncServerRules for pages that move on after saving: a failure becomes a Grafana notification, since the page
 * that could show it is gone.
 */
export async function syncRulesAfterChange(serverId: number): Promise<SyncOutcome> {
  const outcome = await syncServerRules(serverId);
  const text = syncFailureText(outcome);
  if (text !== null) getAppEvents()?.publish({ type: AppEvents.alertError.name, payload: [SYNC_FAILED_TITLE, text] });
  return outcome;
}
