// Results written to PostgreSQL in a fixed number of statements per batch: there each statement is a network round trip.
import type { Sql } from './sql/types.js';

/** One result as the probes table keeps it (transcript already left out). */
export interface KeptResult {
  probeId: number;
  gateway: string;
  json: string;
  checkedAt: string;
  actualHost: string | null;
  actualIpv4: string | null;
  actualIp: string | null;
}

/** Rows per statement: bounds the size of one statement's parameters for very large batches. */
const CHUNK_ROWS = 5000;

/**
 * The same outcome as writing the batch row by row in its order (the SQLite form): each location keeps its last
 * result, the probe the newest by checkedAt unless the stored one is newer, and an actual* value only where one of
 * the results that would have replaced the probe's gives one. Results of deleted probes are left out. Run in a transaction.
 */
export async function saveResultsInBulk(tx: Sql, batch: readonly KeptResult[]): Promise<void> {
  const locations = lastPerLocation(batch);
  for (let start = 0; start < locations.length; start += CHUNK_ROWS) {
    const rows = locations.slice(start, start + CHUNK_ROWS);
    await tx.run(PER_LOCATION, [rows.map((r) => r.probeId), rows.map((r) => r.gateway), rows.map((r) => r.json)]);
  }
  const newest = newestPerProbe(batch);
  for (let start = 0; start < newest.length; start += CHUNK_ROWS) {
    const rows = newest.slice(start, start + CHUNK_ROWS);
    await tx.run(NEWEST, [
      rows.map((r) => r.probeId), rows.map((r) => r.json), rows.map((r) => r.checkedAt),
      ...ACTUAL_FIELDS.flatMap((field) => [rows.map((r) => r[field].value), rows.map((r) => r[field].checkedAt)]),
    ]);
  }
}

// The JOIN drops results of probes deleted since their check (the foreign key would refuse them); ordered by key so
// that two replicas writing the same rows lock them in one order.
const PER_LOCATION = `
  INSERT INTO probe_results (probe_id, gateway, result_json)
  SELECT v.probe_id, v.gateway, v.json FROM unnest(?::integer[], ?::text[], ?::text[]) AS v (probe_id, gateway, json)
  JOIN probes p ON p.id = v.probe_id
  ORDER BY v.probe_id, v.gateway
  ON CONFLICT (probe_id, gateway) DO UPDATE SET result_json = excluded.result_json`;

/** The stored newest result's time; ISO times of one format compare as text, byte by byte as in JavaScript. */
const STORED_AT = `((p.last_result_json::json ->> 'checkedAt') COLLATE "C")`;

/**
 * An actual* column: the batch's value when the result giving it would have replaced the stored newest (given at
 * the newest's time it did: the row is being updated), else the stored value.
 */
const actualColumn = (column: string, value: string, at: string) => `${column} = CASE
    WHEN v.${at} IS NULL THEN p.${column}
    WHEN v.${at} = v.checked_at OR p.last_result_json IS NULL OR ${STORED_AT} <= v.${at} THEN v.${value}
    ELSE p.${column} END`;

const NEWEST = `
  UPDATE probes p SET last_result_json = v.json,
    ${actualColumn('actual_host', 'host', 'host_at')},
    ${actualColumn('actual_ipv4', 'ipv4', 'ipv4_at')},
    ${actualColumn('actual_ip', 'ip', 'ip_at')}
  FROM unnest(?::integer[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
    AS v (probe_id, json, checked_at, host, host_at, ipv4, ipv4_at, ip, ip_at)
  WHERE p.id = v.probe_id AND (p.last_result_json IS NULL OR ${STORED_AT} <= v.checked_at)`;

/** Each probe+location's last result in batch order (row by row, each overwrites the one before), ordered by key. */
function lastPerLocation(batch: readonly KeptResult[]): KeptResult[] {
  const last = new Map<string, KeptResult>();
  for (const result of batch) last.set(`${result.probeId}\u0000${result.gateway}`, result);
  return [...last.values()].sort((a, b) => a.probeId - b.probeId || (a.gateway < b.gateway ? -1 : a.gateway > b.gateway ? 1 : 0));
}

const ACTUAL_FIELDS = ['actualHost', 'actualIpv4', 'actualIp'] as const;
type ActualField = typeof ACTUAL_FIELDS[number];

/** A non-null actual* value and the time of the result that gave it. */
interface Given { value: string | null; checkedAt: string | null }

type Newest = Pick<KeptResult, 'probeId' | 'json' | 'checkedAt'> & Record<ActualField, Given>;

/**
 * Per probe, what row-by-row conditional updates leave: a result replaces the probe's when it is at least as new as
 * every earlier one (of the batch and the stored one), so the survivors form a chain of non-decreasing times of which
 * the stored time cuts off a prefix. The last of the chain wins; each actual* column takes the last non-null value
 * of the chain, provided its result is not older than the stored one (checked in SQL).
 */
function newestPerProbe(batch: readonly KeptResult[]): Newest[] {
  const newest = new Map<number, Newest>();
  for (const result of batch) {
    const chain = newest.get(result.probeId);
    if (chain && result.checkedAt < chain.checkedAt) continue;
    const given = (field: ActualField): Given =>
      result[field] !== null ? { value: result[field], checkedAt: result.checkedAt } : chain?.[field] ?? { value: null, checkedAt: null };
    newest.set(result.probeId, {
      probeId: result.probeId, json: result.json, checkedAt: result.checkedAt,
      actualHost: given('actualHost'), actualIpv4: given('actualIpv4'), actualIp: given('actualIp'),
    });
  }
  return [...newest.values()].sort((a, b) => a.probeId - b.probeId);
}
