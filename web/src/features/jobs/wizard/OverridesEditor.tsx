import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { AutoComplete, Button, Flex, Form, Input, Typography } from 'antd';
import type { CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import { formatSetting } from './format';
import { rowProblems, type OverrideRow } from './state';

interface Props {
  rows: OverrideRow[];
  onChange: (rows: OverrideRow[]) => void;
  /** Every setting the plan chose (its spec paths), offered as keys. */
  settings: string[];
  /** The planned value of a setting, shown as the value's placeholder. */
  planned: (key: string) => unknown;
  /** The server's messages by override key (from a 422's `errors[].param`). */
  serverErrors: Map<string, string[]>;
}

// Hidden from sight, not from assistive technology (antd would copy an aria-label onto a
// role-less wrapper <div>, where it is not allowed).
const VISUALLY_HIDDEN: CSSProperties = {
  position: 'absolute',
  width: 1,
  height: 1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
};

let nextId = 1;
export const newRow = (key = '', value = ''): OverrideRow => ({ id: nextId++, key, value });

/** Key/value rows for expert settings; each row shows the problems the server found with it. */
export function OverridesEditor({ rows, onChange, settings, planned, serverErrors }: Props) {
  const { t } = useTranslation();
  const local = rowProblems(rows);
  const update = (id: number, patch: Partial<OverrideRow>) => onChange(rows.map((r) => (r.id === id ? { ...r, ...patch } : r)));

  return (
    <Flex vertical gap={4}>
      <Typography.Paragraph type="secondary">{t('wizard.overrides.help')}</Typography.Paragraph>
      {rows.map((row, index) => {
        const key = row.key.trim();
        const problem = local.get(row.id);
        const messages = [...(problem ? [t(`wizard.overrides.problems.${problem}`)] : []), ...(serverErrors.get(key) ?? [])];
        const name = key || t('wizard.overrides.row', { n: index + 1 });
        const plannedValue = key ? planned(key) : undefined;
        const options = settings.filter((s) => s.includes(key)).map((s) => ({ value: s }));
        return (
          <Form.Item
            key={row.id}
            validateStatus={messages.length > 0 ? 'error' : undefined}
            help={messages.length > 0 ? messages.map((m) => <div key={m}>{m}</div>) : undefined}
            style={{ marginBottom: 12 }}
          >
            <Flex gap={8} align="center">
              {/* Labels for screen readers: the row's look (key = value) says it to everyone else. */}
              <label htmlFor={`override-key-${row.id}`} style={VISUALLY_HIDDEN}>
                {t('wizard.overrides.key', { n: index + 1 })}
              </label>
              <AutoComplete
                id={`override-key-${row.id}`}
                value={row.key}
                options={options}
                onChange={(value: string) => update(row.id, { key: value })}
                placeholder="lora.r"
                style={{ flex: '1 1 240px' }}
              />
              <label htmlFor={`override-value-${row.id}`} style={VISUALLY_HIDDEN}>
                {t('wizard.overrides.value', { name })}
              </label>
              <Input
                id={`override-value-${row.id}`}
                value={row.value}
                onChange={(e) => update(row.id, { value: e.target.value })}
                placeholder={plannedValue === undefined ? '8' : t('wizard.overrides.planned', { value: formatSetting(plannedValue, t) })}
                style={{ flex: '1 1 200px' }}
              />
              <Button
                icon={<DeleteOutlined />}
                aria-label={t('wizard.overrides.remove', { name })}
                onClick={() => onChange(rows.filter((r) => r.id !== row.id))}
              />
            </Flex>
          </Form.Item>
        );
      })}
      <div>
        <Button icon={<PlusOutlined />} onClick={() => onChange([...rows, newRow()])}>
          {t('wizard.overrides.add')}
        </Button>
      </div>
    </Flex>
  );
}
