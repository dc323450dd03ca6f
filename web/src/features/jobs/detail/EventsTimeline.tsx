import { Alert, Button, Empty, Flex, Segmented, Tag, Timeline, Typography, theme } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../../components/format';
import { useMessage } from '../../../i18n/messages';
import type { JobEvent } from '../metrics';
import { eventRows, isProblem, type EventRow } from './eventRows';

const LEVEL_COLOR: Record<string, 'blue' | 'orange' | 'red' | 'gray'> = { info: 'blue', warn: 'orange', error: 'red' };
type Filter = 'all' | 'problems';

/** An event's text in the reader's language (coded events), else the English message as stored. */
function useEventText(): (event: JobEvent) => string {
  const message = useMessage();
  return (event) => message(event.code ? { code: event.code, params: event.params ?? {} } : null, event.message);
}

function EventLine({ event, attempts }: { event: JobEvent; attempts: number }) {
  const { t } = useTranslation();
  const text = useEventText();
  return (
    <>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {formatDateTime(event.created_at)}
        {attempts > 1 && <> · {t('jobs.events.attempt', { attempt: event.attempt })}</>}
      </Typography.Text>
      <div>
        {event.level !== 'info' && (
          <Tag color={event.level === 'error' ? 'error' : 'warning'}>{t(`jobs.events.levels.${event.level}`, { defaultValue: event.level })}</Tag>
        )}
        <Typography.Text style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{text(event)}</Typography.Text>
      </div>
    </>
  );
}

/** A run of routine events as one line, opened on request. */
function FoldedLine({ events, attempts }: { events: JobEvent[]; attempts: number }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <Flex vertical gap={4}>
      <Flex align="center" gap={8} wrap>
        <Typography.Text type="secondary">{t('jobs.events.folded', { count: events.length })}</Typography.Text>
        <Button size="small" type="link" aria-expanded={open} onClick={() => setOpen(!open)}>
          {t(open ? 'jobs.events.hide' : 'jobs.events.show')}
        </Button>
      </Flex>
      {open && events.map((event) => <EventLine key={event.seq} event={event} attempts={attempts} />)}
    </Flex>
  );
}

/** Warnings and errors, newest first, above the scrolling list: they never scroll away. */
function PinnedProblems({ events }: { events: JobEvent[] }) {
  const { t } = useTranslation();
  const text = useEventText();
  if (events.length === 0) return null;
  return (
    <section aria-label={t('jobs.events.pinned')}>
      <Flex vertical gap={8} style={{ marginBottom: 12 }}>
        {[...events].reverse().map((event) => (
          <Alert key={event.seq} type={event.level === 'error' ? 'error' : 'warning'} showIcon message={text(event)} />
        ))}
      </Flex>
    </section>
  );
}

const rowItem = (row: EventRow, attempts: number) =>
  row.kind === 'folded'
    ? { key: `fold-${row.events[0]?.seq ?? 0}`, color: 'gray', children: <FoldedLine events={row.events} attempts={attempts} /> }
    : { key: row.event.seq, color: LEVEL_COLOR[row.event.level] ?? 'gray', children: <EventLine event={row.event} attempts={attempts} /> };

/** The job's events: warnings and errors pinned on top, then all events newest first with routine ones folded. */
export function EventsTimeline({ events }: { events: JobEvent[] }) {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const [filter, setFilter] = useState<Filter>('all');
  const attempts = new Set(events.map((event) => event.attempt)).size;
  const problems = useMemo(() => events.filter(isProblem), [events]);
  const items = useMemo(() => {
    const shown = filter === 'problems' ? problems : events;
    return eventRows(shown).map((row) => rowItem(row, attempts));
  }, [events, problems, filter, attempts]);

  if (events.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('jobs.events.empty')} />;
  return (
    <>
      <PinnedProblems events={problems} />
      <Segmented<Filter>
        aria-label={t('jobs.events.filter')}
        value={filter}
        onChange={setFilter}
        options={[
          { value: 'all', label: t('jobs.events.all') },
          { value: 'problems', label: t('jobs.events.problems', { count: problems.length }) },
        ]}
        style={{ marginBottom: 8 }}
      />
      <div
        style={{ maxHeight: 520, overflowY: 'auto', paddingTop: 8, paddingInline: 4, borderRadius: token.borderRadius }}
        tabIndex={0}
        role="region"
        aria-label={t('jobs.events.list')}
      >
        {items.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('jobs.events.noProblems')} /> : <Timeline items={items} />}
      </div>
    </>
  );
}
