import { Badge, Flex, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/types';

export type Item = Schemas['EvaluationItemPublic'];
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

interface Props {
  items: Item[];
  /** The table's accessible name (default: "Answers, base and tuned"). */
  label?: string;
  /** The second answer column's title (default: "Tuned answer"); e.g. the compared model's name. */
  answerTitle?: string;
  /** False for a base model compared alone: its answers are the base answers. */
  showBase?: boolean;
}

/** Every probe and held-out example with the base answer and the other model's answer, each with its verdict. */
export function ItemsTable({ items, label, answerTitle, showBase = true }: Props) {
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
    ...(showBase
      ? [{ title: t('evaluation.base'), key: 'base', render: (_: unknown, item: Item) => <Answer text={item.base_answer} verdict={item.base} /> }]
      : []),
    {
      title: answerTitle ?? t('evaluation.tuned'),
      key: 'tuned',
      render: (_: unknown, item: Item) => <Answer text={item.tuned_answer} verdict={item.tuned} />,
    },
  ];
  return (
    <Table<Item>
      rowKey="id"
      size="small"
      aria-label={label ?? t('evaluation.items')}
      columns={columns}
      dataSource={items}
      pagination={{ pageSize: 20, hideOnSinglePage: true }}
      scroll={{ x: 'max-content' }}
    />
  );
}
