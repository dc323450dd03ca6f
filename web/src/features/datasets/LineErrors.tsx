import { Alert, Flex, Table, Typography, type TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { useMessage } from '../../i18n/messages';
import type { LineProblem } from './lineProblems';

type Row = LineProblem & { key: number };

/** Every bad line of a refused file: where, what is wrong and how to fix it. */
export function LineErrors({ problems }: { problems: LineProblem[] }) {
  const { t } = useTranslation();
  const message = useMessage(); // the coded problem and fix in the reader's language, else English
  const where = (p: LineProblem) =>
    p.line > 0
      ? t(`datasets.lines.units.${p.unit}`, { n: p.line, defaultValue: `${p.unit} ${p.line}` })
      : t('datasets.lines.wholeFile');
  const columns: TableColumnsType<Row> = [
    { title: t('datasets.lines.where'), key: 'where', render: (_, p) => where(p), width: 110 },
    {
      title: t('datasets.lines.field'),
      dataIndex: 'field',
      width: 140,
      render: (field: string) => (field ? <Typography.Text code>{field}</Typography.Text> : '—'),
    },
    { title: t('datasets.lines.problem'), key: 'problem', render: (_, p) => message(p.problemDetail, p.problem) },
    { title: t('datasets.lines.fix'), key: 'fix', render: (_, p) => message(p.fixDetail, p.fix) || '—' },
  ];
  return (
    <Flex vertical gap={8}>
      <Alert
        type="error"
        showIcon
        message={t('datasets.lines.title', { count: problems.length })}
        description={t('datasets.lines.hint')}
      />
      {/* Long lists scroll inside the box; it takes focus so keyboard users can scroll it too. */}
      <div tabIndex={0} role="region" aria-label={t('datasets.lines.table')} style={{ maxHeight: 360, overflow: 'auto' }}>
        <Table<Row>
          aria-label={t('datasets.lines.table')}
          size="small"
          columns={columns}
          dataSource={problems.map((p, key) => ({ ...p, key }))}
          pagination={false}
        />
      </div>
    </Flex>
  );
}
