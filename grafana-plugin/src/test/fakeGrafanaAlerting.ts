// Grafana's alerting for the test Grafana (grafanaRuntime.ts): the alerting server of grafanaAlertingApi.ts (folders,
// provisioning API with schema validation, rule states), and the notifications (app events) Grafana would show.
import { AppEvents, EventBusSrv } from '@grafana/data';
import { setAppEvents } from '@grafana/runtime';
import { GrafanaAlertingApi } from './grafanaAlertingApi';

export * from './grafanaAlertingApi';

export interface Notification {
  severity: 'error' | 'success' | 'warning';
  title: string;
  text: string;
}

export class FakeGrafanaAlerting extends GrafanaAlertingApi {
  /** Notifications published on Grafana's app events (toasts). */
  readonly notifications: Notification[] = [];

  /** Installs Grafana's app event bus, recording the notifications the plugin publishes. */
  install(): void {
    const events = new EventBusSrv();
    const record = (severity: Notification['severity']) => (event: { payload?: unknown }) => {
      const [title, text] = (Array.isArray(event.payload) ? event.payload : [event.payload]).map((part) => String(part ?? ''));
      this.notifications.push({ severity, title: title ?? '', text: text ?? '' });
    };
    events.subscribe({ type: AppEvents.alertError.name } as never, record('error'));
    events.subscribe({ type: AppEvents.alertSuccess.name } as never, record('success'));
    events.subscribe({ type: AppEvents.alertWarning.name } as never, record('warning'));
    setAppEvents(events);
  }
}
