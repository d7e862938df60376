// The preview build aliases this to @grafana/runtime's own PluginPage module (see build.ts).
declare module 'grafana-runtime-internal/PluginPage' {
  import type { PluginPageType } from '@grafana/runtime';
  export function setPluginPage(component: PluginPageType): void;
}
