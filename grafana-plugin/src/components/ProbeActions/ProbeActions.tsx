// The actions on a stored probe that several pages offer: run it now, and delete it after a confirmation. Each reports
// its outcome to the page, which shows it where the user is looking.
import { useState } from 'react';
import { Button, ConfirmModal } from '@grafana/ui';
import { syncRulesAfterChange } from '../../alerting/sync';
import { deleteProbe, runProbe } from '../../api';
import { toGatewayError, type GatewayError } from '../../api/errors';
import type { CheckResult, Probe } from '../../api/types';

type ProbeRef = Pick<Probe, 'id' | 'name'>;

interface RunProps {
  probe: ProbeRef;
  onResult: (probe: ProbeRef, result: CheckResult) => void;
  onError: (error: GatewayError) => void;
  /** A compact icon button for table rows. */
  compact?: boolean;
}

export function RunProbeButton({ probe, onResult, onError, compact }: RunProps) {
  const [running, setRunning] = useState(false);
  const run = async () => {
    setRunning(true);
    try {
      onResult(probe, await runProbe(probe.id));
    } catch (error) {
      onError(toGatewayError(error));
    } finally {
      setRunning(false);
    }
  };
  return (
    <Button
      size={compact ? 'sm' : 'md'}
      variant="secondary"
      fill={compact ? 'text' : 'solid'}
      icon={running ? 'spinner' : 'play'}
      disabled={running}
      onClick={run}
      aria-label={`Run ${probe.name} now`}
      tooltip={compact ? 'Run now: one check, its result shown here and recorded' : undefined}
    >
      {compact ? undefined : 'Run now'}
    </Button>
  );
}

interface DeleteProps {
  probe: ProbeRef & Pick<Probe, 'serverId'>;
  onDeleted: (probe: ProbeRef) => void;
  onError: (error: GatewayError) => void;
  compact?: boolean;
}

export function DeleteProbeButton({ probe, onDeleted, onError, compact }: DeleteProps) {
  const [confirming, setConfirming] = useState(false);
  const remove = async () => {
    try {
      await deleteProbe(probe.id);
      await syncRulesAfterChange(probe.serverId);
      setConfirming(false);
      onDeleted(probe);
    } catch (error) {
      setConfirming(false);
      onError(toGatewayError(error));
    }
  };
  return (
    <>
      <Button
        size={compact ? 'sm' : 'md'}
        variant="destructive"
        fill={compact ? 'text' : 'solid'}
        icon="trash-alt"
        onClick={() => setConfirming(true)}
        aria-label={`Delete ${probe.name}`}
        tooltip={compact ? 'Delete the probe' : undefined}
      >
        {compact ? undefined : 'Delete'}
      </Button>
      <ConfirmModal
        isOpen={confirming}
        title={`Delete probe ${probe.name}?`}
        body="Its checks stop, its recent results are removed and its series disappear from the gateway's /metrics. This cannot be undone."
        confirmText="Delete probe"
        onConfirm={remove}
        onDismiss={() => setConfirming(false)}
      />
    </>
  );
}
