// What Grafana puts on the page before any plugin code runs; @grafana/runtime's `config` reads it once at import.
(window as unknown as { grafanaBootData: unknown }).grafanaBootData = {
  assets: { dark: '', light: '' },
  settings: { appSubUrl: '', featureToggles: {}, buildInfo: { version: '12.4.10' } },
  navTree: [],
  user: { isSignedIn: true, id: 1, login: 'admin', name: 'Admin', orgId: 1, orgName: 'Main Org.', orgRole: 'Admin', theme: 'dark', timezone: 'utc' },
};
