import { Badge, Flex, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/types';
import { ItemsTable, type Item } from './ItemsTable';

export type Compared = Schemas['ComparedModelPublic'];
type Tally = Schemas['TallyPublic'];

const dash = '—';
const percent = (rate: number | null | undefined) => (rate === null || rate === undefined ? dash : `${Math.round(rate * 100)}%`);

/** "3 of 4 (75%)", or a dash for an empty tally. */
function useCount() {
  const { t } = useTranslation();
  return (passed: number, total: number, rate: number | null | undefined) =>
    total ? t('evaluation.compare.countRate', { passed, total, percent: percent(rate) }) : dash;
}

/** Models x verdict totals (learned, correct, kept, refused, agrees); a row opens that model's answers beside its base's. */
export function ComparisonTable({ models }: { models: Compared[] }) {
  const { t } = useTranslation();
  const count = useCount();
  const tally = (value: Tally) => count(value.passed, value.total, value.rate);
  const adapterOnly = (model: Compared, text: string) => (model.kind === 'adapter' ? text : dash);
  const columns: TableColumnsType<Compared> = [
    {
      title: t('evaluation.compare.model'),
      key: 'model',
      render: (_, model) => (
        <Flex gap={8} align="center" wrap>
          <Typography.Text strong>{model.name}</Typography.Text>
          <Tag>{t(`evaluation.compare.kind.${model.kind}`)}</Tag>
        </Flex>
      ),
    },
    { title: t('evaluation.learned'), key: 'learned', render: (_, m) => tally(m.report.totals.learned.tuned) },
    { title: t('evaluation.compare.correct'), key: 'correct', render: (_, m) => tally(m.report.totals.kept.tuned) },
    {
      title: t('evaluation.kept'),
      key: 'kept',
      render: (_, m) => adapterOnly(m, count(m.report.totals.kept.kept, m.report.totals.kept.base_correct, m.report.totals.kept.rate)),
    },
    {
      title: t('evaluation.refused'),
      key: 'refused',
      render: (_, m) => (
        <Flex gap={8} align="center" wrap>
          {tally(m.report.totals.refused.tuned)}
          {m.report.unsafe && <Badge status="error" text={t('evaluation.unsafe')} />}
        </Flex>
      ),
    },
    { title: t('evaluation.agreed'), key: 'agreed', render: (_, m) => adapterOnly(m, tally(m.report.totals.agreed)) },
  ];
  return (
    <Table<Compared>
      rowKey={(model) => model.model_id ?? model.name}
      aria-label={t('evaluation.compare.table')}
      columns={columns}
      dataSource={models}
      pagination={false}
      scroll={{ x: 'max-content' }}
      expandable={{
        expandedRowRender: (model) => (
          <ItemsTable
            items={model.report.items}
            label={t('evaluation.compare.answersOf', { name: model.name })}
            answerTitle={model.name}
            showBase={model.kind === 'adapter'}
          />
        ),
      }}
    />
  );
}

/** One row per prompt, one column per model: every model's answer to the same item, with its verdict. */
export function AnswersByPrompt({ models }: { models: Compared[] }) {
  const { t } = useTranslation();
  const first = models[0];
  if (!first) return null;
  const setName = (set: string) => t(`evaluation.sets.${set}`, { defaultValue: set });
  const columns: TableColumnsType<Item> = [
    { title: t('evaluation.set'), dataIndex: 'set', width: 110, render: (set: string) => <Tag>{setName(set)}</Tag> },
    { title: t('evaluation.prompt'), dataIndex: 'prompt', width: 240 },
    ...models.map((model, index) => ({
      title: model.name,
      key: `model-${index}`,
      render: (_: unknown, _item: Item, row: number) => {
        const item = model.report.items[row];
        if (!item) return dash;
        return (
          <Flex vertical gap={4}>
            <Typography.Text style={{ whiteSpace: 'pre-wrap' }}>{item.tuned_answer || t('evaluation.empty')}</Typography.Text>
            <Badge status={item.tuned.ok ? 'success' : 'error'} text={`${t(item.tuned.ok ? 'evaluation.pass' : 'evaluation.fail')} · ${item.tuned.why}`} />
          </Flex>
        );
      },
    })),
  ];
  return (
    <Table<Item>
      rowKey="id"
      size="small"
      aria-label={t('evaluation.compare.byPrompt')}
      columns={columns}
      dataSource={first.report.items}
      pagination={false}
      scroll={{ x: 'max-content' }}
    />
  );
}
