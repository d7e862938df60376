// Confirms deleting a probe server, saying how many probes go with it.
import { ConfirmModal } from '@grafana/ui';
import type { ProbeServer } from '../../api/types';

interface Props {
  server: ProbeServer;
  onConfirm: () => void;
  onDismiss: () => void;
}

export function deleteServerMessage(server: Pick<ProbeServer, 'probeCount'>): string {
  if (server.probeCount === 0) return 'It has no probes.';
  const probes = server.probeCount === 1 ? 'Its 1 probe' : `Its ${server.probeCount} probes`;
  return `${probes} will be deleted with it, and their series disappear from the gateway's /metrics. This cannot be undone.`;
}

export function DeleteServerModal({ server, onConfirm, onDismiss }: Props) {
  return (
    <ConfirmModal
      isOpen
      title={`Delete probe server ${server.name}?`}
      body={deleteServerMessage(server)}
      confirmText="Delete"
      onConfirm={onConfirm}
      onDismiss={onDismiss}
    />
  );
}
