// A moment as "3 minutes ago" (or as a date with `absolute`), the other form in its tooltip; never wrapped.
import { dateTimeFormat, dateTimeFormatTimeAgo } from '@grafana/data';

export function RelativeTime({ at, absolute = false }: { at: string; absolute?: boolean }) {
  const ago = dateTimeFormatTimeAgo(at);
  const date = dateTimeFormat(at);
  return (
    <span title={absolute ? ago : date} style={{ whiteSpace: 'nowrap' }}>
      {absolute ? date : ago}
    </span>
  );
}
