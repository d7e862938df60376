// Grafana's notifications (toasts) for the preview: what the app publishes on Grafana's app events (alertError,
// alertWarning, alertSuccess) shows in the top right corner, as in Grafana, until closed or for 10 s.
import { useEffect, useState } from 'react';
import { css } from '@emotion/css';
import { AppEvents, type BusEventWithPayload, type EventBus, type GrafanaTheme2 } from '@grafana/data';
import { Alert, useStyles2 } from '@grafana/ui';

const SHOWN_MS = 10_000;
const SEVERITIES = [
  [AppEvents.alertError, 'error'],
  [AppEvents.alertWarning, 'warning'],
  [AppEvents.alertSuccess, 'success'],
] as const;

interface Toast {
  id: number;
  severity: 'error' | 'warning' | 'success';
  title: string;
  text: string;
}

export function PreviewNotifications({ events }: { events: EventBus }) {
  const styles = useStyles2(getStyles);
  const [toasts, setToasts] = useState<Toast[]>([]);
  useEffect(() => {
    let nextId = 0;
    const subscriptions = SEVERITIES.map(([event, severity]) =>
      events.subscribe({ type: event.name } as never, (published: BusEventWithPayload<unknown>) => {
        const [title, text] = (Array.isArray(published.payload) ? published.payload : [published.payload]).map((part) => String(part ?? ''));
        const id = nextId++;
        setToasts((shown) => [...shown, { id, severity, title: title ?? '', text: text ?? '' }]);
        setTimeout(() => setToasts((shown) => shown.filter((toast) => toast.id !== id)), SHOWN_MS);
      }),
    );
    return () => subscriptions.forEach((subscription) => subscription.unsubscribe());
  }, [events]);
  if (toasts.length === 0) return null;
  return (
    <div className={styles.stack} aria-label="Notifications">
      {toasts.map((toast) => (
        <Alert key={toast.id} severity={toast.severity} title={toast.title} onRemove={() => setToasts((shown) => shown.filter((other) => other.id !== toast.id))}>
          {toast.text}
        </Alert>
      ))}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  stack: css({ position: 'fixed', top: theme.spacing(7), right: theme.spacing(2), width: 420, zIndex: theme.zIndex.portal, display: 'flex', flexDirection: 'column', gap: theme.spacing(1) }),
});
