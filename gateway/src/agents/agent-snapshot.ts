// What an agent receives: its part of the configuration, and the material of its servers' accounts sealed for it alone.
import type { GatewaySnapshot, SharedAccountValues } from '../store/index.js';
import { openMaterial } from '../secrets/account-material.js';
import { materialSummary, type AgentAccount } from '../secrets/shared-account-service.js';
import { materialProblems } from '../secrets/pem.js';

export interface AgentSnapshot extends GatewaySnapshot {
  /** Absent from control planes older than shared accounts: the agent then keeps the accounts it has. */
  accounts?: AgentAccount[];
}

/**
 * The rows an agent keeps of its accounts: the material stays sealed as it came (under the agent's own derived key),
 * opened here only to check it and to summarize what is configured. Accounts that do not open are left out and named.
 */
export function agentAccountValues(accounts: readonly AgentAccount[], key: Buffer): { values: SharedAccountValues[]; refused: { name: string; reason: string }[] } {
  const values: SharedAccountValues[] = [];
  const refused: { name: string; reason: string }[] = [];
  for (const account of accounts) {
    try {
      const material = openMaterial(key, account.name, account.sealed);
      const problems = materialProblems(material);
      if (problems.length > 0) throw new Error(`${problems[0]!.field} ${problems[0]!.message}`);
      values.push({ name: account.name, description: null, materialSealed: account.sealed, ...materialSummary(material) });
    } catch (error) {
      refused.push({ name: account.name, reason: (error as Error).message });
    }
  }
  return { values, refused };
}
