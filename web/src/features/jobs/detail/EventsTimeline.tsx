import { Empty, Tag, Timeline, Typography, theme } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../../components/format';
import type { JobEvent } from '../metrics';

const LEVEL_COLOR: Record<string, 'blue' | 'orange' | 'red' | 'gray'> = { info: 'blue', warn: 'orange', error: 'red' };

/** The job's events, newest first, coloured by level and marked with the attempt they belong to. */
export function EventsTimeline({ events }: { events: JobEvent[] }) {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const attempts = new Set(events.map((event) => event.attempt)).size;
  const items = useMemo(
    () =>
      [...events].reverse().map((event) => ({
        key: event.seq,
        color: LEVEL_COLOR[event.level] ?? 'gray',
        children: (
          <>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {formatDateTime(event.created_at)}
              {attempts > 1 && <> · {t('jobs.events.attempt', { attempt: event.attempt })}</>}
            </Typography.Text>
            <div>
              {event.level !== 'info' && (
                <Tag color={event.level === 'error' ? 'error' : 'warning'}>
                  {t(`jobs.events.levels.${event.level}`, { defaultValue: event.level })}
                </Tag>
              )}
              <Typography.Text style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{event.message}</Typography.Text>
            </div>
          </>
        ),
      })),
    [events, attempts, t],
  );

  if (events.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('jobs.events.empty')} />;
  return (
    <div
      style={{ maxHeight: 520, overflowY: 'auto', paddingTop: 8, paddingInline: 4, borderRadius: token.borderRadius }}
      tabIndex={0}
      role="region"
      aria-label={t('jobs.events.title')}
    >
      <Timeline items={items} />
    </div>
  );
}
