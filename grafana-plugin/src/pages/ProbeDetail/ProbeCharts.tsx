// The probe's charts (see probeScene.ts), or what to do when the app has no Prometheus data source yet.
import { useMemo } from 'react';
import { LocationServiceProvider, locationService } from '@grafana/runtime';
import { UrlSyncContextProvider } from '@grafana/scenes';
import { Alert, LinkButton } from '@grafana/ui';
import { useAppSettings } from '../../appSettings';
import { links } from '../../constants';
import { buildProbeScene } from './probeScene';

/**
 * `noDataText`: what an empty chart says, from the gateway's state (noSampleText); `gatewayCount`: the server's
 * locations. A change of either rebuilds the scene.
 */
export function ProbeCharts({ probeId, noDataText, gatewayCount }: { probeId: number; noDataText: string; gatewayCount: number }) {
  const { prometheusUid } = useAppSettings();
  const scene = useMemo(
    () => (prometheusUid ? buildProbeScene(probeId, prometheusUid, noDataText, gatewayCount) : undefined),
    [probeId, prometheusUid, noDataText, gatewayCount],
  );
  if (!scene) {
    return (
      <Alert severity="info" title="Charts need a Prometheus data source">
        <p>
          Availability and connect-time charts come from the Prometheus that scrapes the gateway&apos;s /metrics. An admin
          chooses that data source on the app&apos;s configuration page; the recent results below come straight from the gateway.
        </p>
        <LinkButton size="sm" variant="secondary" icon="cog" href={links.config()}>
          Open the app configuration
        </LinkButton>
      </Alert>
    );
  }
  return (
    <section aria-label="Charts">
      {/* The time range lives in the URL (from, to), so a link to this page shows the same charts. Grafana provides
          the location service above the app; providing the same one here keeps the charts whole wherever they render. */}
      <LocationServiceProvider service={locationService}>
        <UrlSyncContextProvider scene={scene} updateUrlOnInit={false}>
          <scene.Component model={scene} />
        </UrlSyncContextProvider>
      </LocationServiceProvider>
    </section>
  );
}
