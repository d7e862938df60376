// A gateway error as a banner: what went wrong in the gateway's words, and the way out (configuration, reload, retry).
import { Alert, Button, LinkButton, Stack } from '@grafana/ui';
import type { GatewayError } from '../api/errors';
import { links } from '../constants';

const TITLES: Record<GatewayError['kind'], string> = {
  validation: 'The gateway rejected the change',
  conflict: 'The gateway rejected the change',
  staleVersion: 'Someone else changed this in the meantime',
  notFound: 'Not found',
  unauthorized: 'The gateway rejected the API token',
  forbidden: 'Not allowed for your role',
  unreachable: 'Gateway unreachable',
  notGateway: 'The gateway URL does not answer like a gateway',
  notReady: 'Gateway not ready',
  server: 'The gateway request failed',
};

/** Errors an admin fixes on the configuration page. */
const CONFIGURATION_KINDS = new Set<GatewayError['kind']>(['unauthorized', 'unreachable', 'notGateway']);

interface Props {
  error: GatewayError;
  /** Title instead of the one for the error's kind. */
  title?: string;
  /** Offered as "Retry" (or "Reload" for a stale version). */
  onRetry?: () => void;
  /** Text of a banner that stands for several field errors, instead of the error's message. */
  children?: React.ReactNode;
}

export function GatewayErrorAlert({ error, title, onRetry, children }: Props) {
  return (
    <Alert severity={error.kind === 'staleVersion' ? 'warning' : 'error'} title={title ?? TITLES[error.kind]}>
      <Stack direction="column" gap={1} alignItems="flex-start">
        <div>{children ?? error.message}</div>
        <Stack gap={1}>
          {onRetry && (
            <Button size="sm" variant="secondary" icon="sync" onClick={onRetry}>
              {error.isStaleVersion ? 'Reload' : 'Retry'}
            </Button>
          )}
          {CONFIGURATION_KINDS.has(error.kind) && (
            <LinkButton size="sm" variant="secondary" icon="cog" href={links.config()}>
              Open the app configuration
            </LinkButton>
          )}
        </Stack>
      </Stack>
    </Alert>
  );
}
