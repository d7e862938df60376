// What Grafana loads: the app with its root page (the probe server pages) and its configuration page.
import { AppPlugin } from '@grafana/data';
import { App } from './App';
import { AppConfig } from './pages/AppConfig/AppConfig';
import type { AppJsonData } from './types';

export const plugin = new AppPlugin<AppJsonData>().setRootPage(App).addConfigPage({
  title: 'Configuration',
  icon: 'cog',
  body: AppConfig,
  id: 'configuration',
});
