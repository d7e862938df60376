// Sets the team a gateway's path alerts go to (TcpProbePathDown: the probe is down from this location only), or
// clears it so that they go to the team of the threshold that raised them.
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { Button, Field, Input, Modal, Stack } from '@grafana/ui';
import { updateGateway } from '../../api/gateways';
import { toGatewayError, type GatewayError } from '../../api/errors';
import type { GatewayInfo } from '../../api/types';
import { teamText } from '../../components/ThresholdsAndAlerts/thresholdForm';
import { GatewayErrorAlert } from '../../components/GatewayErrorAlert';
import { formErrorsFrom } from '../../forms/gatewayFormErrors';

const teamFormSchema = z.object({ team: teamText });
type TeamFormValues = z.infer<typeof teamFormSchema>;

interface Props {
  gateway: GatewayInfo;
  onSaved: (gateway: GatewayInfo) => void;
  onDismiss: () => void;
}

export function GatewayTeamModal({ gateway, onSaved, onDismiss }: Props) {
  const [failure, setFailure] = useState<{ error: GatewayError; banner: string } | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<TeamFormValues>({ resolver: zodResolver(teamFormSchema), defaultValues: { team: gateway.team ?? '' } });

  const submit = async ({ team }: TeamFormValues) => {
    setFailure(null);
    try {
      onSaved(await updateGateway(gateway.id, { team: team === '' ? null : team }));
    } catch (caught) {
      const error = toGatewayError(caught);
      const mapped = formErrorsFrom(error, ['team'] as const);
      for (const { field, message } of mapped.fields) setError(field, { type: 'gateway', message }, { shouldFocus: true });
      if (mapped.banner !== null) setFailure({ error, banner: mapped.banner });
    }
  };

  return (
    <Modal title={`Team of gateway ${gateway.id}`} isOpen onDismiss={onDismiss}>
      <form onSubmit={handleSubmit(submit)} aria-label="Gateway team" noValidate>
        {failure && <GatewayErrorAlert error={failure.error}>{failure.banner}</GatewayErrorAlert>}
        <Field
          label="Team"
          description="Gets the path alerts of this location: a probe down from here while the quorum of locations is not, so the service is up but this network path is not. Empty: the team of the threshold."
          invalid={Boolean(errors.team)}
          error={errors.team?.message}
          htmlFor="gateway-team"
        >
          <Input id="gateway-team" {...register('team')} placeholder="the threshold's team" width={30} />
        </Field>
        <Modal.ButtonRow>
          <Stack gap={1}>
            <Button type="button" variant="secondary" fill="outline" onClick={onDismiss}>
              Cancel
            </Button>
            <Button type="submit" disabled={isSubmitting} icon={isSubmitting ? 'spinner' : undefined}>
              Save team
            </Button>
          </Stack>
        </Modal.ButtonRow>
      </form>
    </Modal>
  );
}
