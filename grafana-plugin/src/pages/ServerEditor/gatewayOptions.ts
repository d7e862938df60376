// The server form's location picker in words: each gateway with its state (online, offline, never seen), and a
// name the user typed that no gateway has announced. Pure.
import type { SelectableValue } from '@grafana/data';
import type { FieldError, Merge } from 'react-hook-form';
import type { GatewayInfo, GatewayState } from '../../api/types';

export const GATEWAY_STATE_WORDS: Record<GatewayState, string> = { online: 'online', offline: 'offline', never_seen: 'never seen' };

function details(gateway: GatewayInfo): string {
  const parts = [
    gateway.self ? 'the gateway Grafana talks to' : null,
    gateway.serverCount === 0 ? 'no servers yet' : `${gateway.serverCount} ${gateway.serverCount === 1 ? 'server' : 'servers'}`,
    gateway.team ? `path alerts to team ${gateway.team}` : null,
  ];
  return parts.filter(Boolean).join(', ');
}

/**
 * Every known gateway, then the picked names no gateway has announced (typed in, or a server's gateway that went
 * away), so that each picked name shows what is known of it. The label carries the state: it is what a chip shows.
 */
export function gatewayOptions(gateways: readonly GatewayInfo[], picked: readonly string[]): Array<SelectableValue<string>> {
  const options: Array<SelectableValue<string>> = gateways.map((gateway) => ({
    value: gateway.id,
    label: `${gateway.id} (${GATEWAY_STATE_WORDS[gateway.state]})`,
    description: details(gateway),
  }));
  for (const name of picked) {
    if (!gateways.some((gateway) => gateway.id === name)) {
      options.push({ value: name, label: `${name} (${GATEWAY_STATE_WORDS.never_seen})`, description: 'no gateway has announced this name yet; it runs the probes once it does' });
    }
  }
  return options;
}

/**
 * The one message the list field shows: the list's own (count, repeats), else the first entry's, naming the entry.
 * react-hook-form keeps a list's errors as an array by position, with the list's own problem on `root` or the array.
 */
export function listErrorMessage(error: Merge<FieldError, Array<FieldError | undefined>> | undefined, names: readonly string[]): string | undefined {
  if (!error) return undefined;
  const own = error.message ?? error.root?.message;
  if (own) return own;
  for (let index = 0; index < names.length; index++) {
    const message = error[index]?.message;
    if (message) return `"${names[index]}": ${message}`;
  }
  return undefined;
}
