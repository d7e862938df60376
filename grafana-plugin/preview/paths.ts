// Grafana's own paths the preview serves beside the app's pages, for the page and the tests alike (no browser code here).
import dashboard from '../../provisioning/grafana/dashboards/probekit/tcp-probes-overview.json';

/** The provisioned overview dashboard (Grafana's /d/<uid>), whose status grid the preview shows with its own queries. */
export const OVERVIEW_PATH = `/d/${dashboard.uid}`;
