import { Alert, Badge, Flex, Skeleton, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { useJobEvaluationQuery } from '../../api/jobsApi';
import { errorText, toApiError } from '../../api/errors';
import type { Schemas } from '../../api/types';
import type { Job } from '../jobs/status';
import { EvaluationTotals } from './EvaluationTotals';

type Item = Schemas['EvaluationItemPublic'];
type Verdict = Schemas['VerdictPublic'];

function Answer({ text, verdict }: { text: string; verdict: Verdict }) {
  const { t } = useTranslation();
  return (
    <Flex vertical gap={4}>
      <Typography.Text style={{ whiteSpace: 'pre-wrap' }}>{text || t('evaluation.empty')}</Typography.Text>
      <Badge status={verdict.ok ? 'success' : 'error'} text={`${t(verdict.ok ? 'evaluation.pass' : 'evaluation.fail')} · ${verdict.why}`} />
    </Flex>
  );
}

function ItemsTable({ items }: { items: Item[] }) {
  const { t } = useTranslation();
  const setName = (set: string) => t(`evaluation.sets.${set}`, { defaultValue: set });
  const sets = [...new Set(items.map((item) => item.set))];
  const columns: TableColumnsType<Item> = [
    {
      title: t('evaluation.set'),
      dataIndex: 'set',
      width: 120,
      filters: sets.map((set) => ({ text: setName(set), value: set })),
      onFilter: (value, item) => item.set === value,
      render: (set: string) => <Tag>{setName(set)}</Tag>,
    },
    { title: t('evaluation.prompt'), dataIndex: 'prompt', width: '24%' },
    { title: t('evaluation.base'), key: 'base', render: (_, item) => <Answer text={item.base_answer} verdict={item.base} /> },
    { title: t('evaluation.tuned'), key: 'tuned', render: (_, item) => <Answer text={item.tuned_answer} verdict={item.tuned} /> },
  ];
  return (
    <Table<Item>
      rowKey="id"
      size="small"
      aria-label={t('evaluation.items')}
      columns={columns}
      dataSource={items}
      pagination={{ pageSize: 20, hideOnSinglePage: true }}
      scroll={{ x: 'max-content' }}
    />
  );
}

/** A finished job's before/after report: totals, then every answer side by side with its verdict. */
export function EvaluationPanel({ job }: { job: Job }) {
  const { t } = useTranslation();
  const done = job.status === 'succeeded';
  const report = useJobEvaluationQuery(job.id, { skip: !done });
  if (!done) return <Typography.Text type="secondary">{t('evaluation.notYet')}</Typography.Text>;
  if (report.isError) return <Alert type="info" showIcon message={errorText(toApiError(report.error), t)} />;
  if (!report.data) return <Skeleton active />;
  return (
    <Flex vertical gap={16}>
      <EvaluationTotals summary={report.data} />
      <ItemsTable items={report.data.items} />
    </Flex>
  );
}
