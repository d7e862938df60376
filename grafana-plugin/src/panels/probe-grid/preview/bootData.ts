// What Grafana puts on the page before plugin code runs; @grafana/runtime reads it once, at import.
(window as unknown as { grafanaBootData: unknown }).grafanaBootData = {
  assets: { dark: '', light: '' },
  settings: { appSubUrl: '', featureToggles: {}, buildInfo: { version: '12.4.10' } },
  navTree: [],
  user: { isSignedIn: true, id: 1, login: 'viewer', name: 'Viewer', orgId: 1, orgName: 'Main Org.', orgRole: 'Viewer', theme: 'dark', timezone: 'utc' },
};
