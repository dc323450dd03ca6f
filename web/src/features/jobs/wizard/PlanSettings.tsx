import { Collapse, Flex, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { Fragment } from 'react';
import { useTranslation } from 'react-i18next';
import { useMessage } from '../../../i18n/messages';
import { formatSetting } from './format';
import { specValue, type Plan } from './state';

export interface Setting {
  path: string;
  /** The name a person reads ("Rank"); null for the rest, shown by path only. */
  label: string | null;
  value: unknown;
  reason: string;
  overridden: boolean;
}

/** The settings a person decides on, in this order; the rest of the plan is folded. */
export const KEY_SETTINGS = ['train.method', 'preference.beta', 'lora.target_modules', 'lora.r', 'train.epochs', 'train.learning_rate', 'cf.warn_threshold', 'cf.stop_threshold'] as const;
const KEY_LABEL: Record<string, string> = {
  'train.method': 'method',
  'preference.beta': 'beta',
  'lora.target_modules': 'targets',
  'lora.r': 'rank',
  'train.epochs': 'epochs',
  'train.learning_rate': 'learningRate',
  'cf.warn_threshold': 'forgettingWarn',
  'cf.stop_threshold': 'forgettingStop',
};
const SECTIONS = ['data', 'lora', 'train', 'cf'];
const sectionRank = (path: string) => {
  const rank = SECTIONS.indexOf(path.split('.')[0] ?? '');
  return rank < 0 ? SECTIONS.length : rank;
};
const keyRank = (path: string) => {
  const rank = (KEY_SETTINGS as readonly string[]).indexOf(path);
  return rank < 0 ? KEY_SETTINGS.length : rank;
};

/** The plan's settings split in two: the few a person decides on (and any they overrode), and the rest;
 * `reason` words each setting's reason (in the reader's language), else the API's English is kept. */
export function splitSettings(
  plan: Plan,
  overridden: Set<string>,
  label: (key: string) => string,
  reason: (path: string, english: string) => string = (_, english) => english,
): { key: Setting[]; rest: Setting[] } {
  // The method and its beta are key settings of a preference plan only (next-token SFT has no beta).
  const method = specValue(plan.spec, 'train.method');
  const preference = method !== undefined && method !== 'sft';
  const keyed = (path: string) =>
    KEY_LABEL[path] !== undefined && (preference || !['train.method', 'preference.beta'].includes(path));
  const all = Object.entries(plan.reasons).map(([path, english]) => ({
    path,
    reason: reason(path, english),
    label: keyed(path) ? label(KEY_LABEL[path] ?? path) : null,
    value: specValue(plan.spec, path),
    overridden: overridden.has(path),
  }));
  const isKey = (s: Setting) => s.label !== null || s.overridden;
  return {
    key: all.filter(isKey).sort((a, b) => keyRank(a.path) - keyRank(b.path) || sectionRank(a.path) - sectionRank(b.path)),
    rest: all.filter((s) => !isKey(s)).sort((a, b) => sectionRank(a.path) - sectionRank(b.path)),
  };
}

/** A dotted setting name that wraps only after a dot, never inside a word. */
export function SettingPath({ path }: { path: string }) {
  const parts = path.split('.');
  return (
    <Typography.Text code style={{ overflowWrap: 'normal', wordBreak: 'keep-all', whiteSpace: 'normal' }}>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {part}
          {i < parts.length - 1 && (
            <>
              .<wbr />
            </>
          )}
        </Fragment>
      ))}
    </Typography.Text>
  );
}

function useColumns(): TableColumnsType<Setting> {
  const { t } = useTranslation();
  return [
    {
      title: t('wizard.plan.setting'),
      dataIndex: 'path',
      render: (path: string, s) => (
        <Flex gap={4} wrap align="center">
          {s.label && <Typography.Text strong>{s.label}</Typography.Text>}
          <SettingPath path={path} />
          {s.overridden && <Tag>{t('wizard.plan.yours')}</Tag>}
        </Flex>
      ),
    },
    { title: t('wizard.plan.value'), dataIndex: 'value', width: 160, render: (value: unknown) => formatSetting(value, t) },
    { title: t('wizard.plan.reason'), dataIndex: 'reason' },
  ];
}

interface Props {
  plan: Plan;
  overridden: Set<string>;
}

/** The key settings with their reasons (the level first), and every other setting folded below. */
export function PlanSettings({ plan, overridden }: Props) {
  const { t } = useTranslation();
  const columns = useColumns();
  const message = useMessage();
  const details = plan.reason_details ?? {};
  const { key, rest } = splitSettings(
    plan,
    overridden,
    (name) => t(`wizard.plan.keys.${name}`),
    (path, english) => message(details[path], english),
  );
  const level: Setting = {
    path: 'level',
    label: t('wizard.plan.keys.level'),
    value: t(`wizard.levels.${plan.level}.title`, { defaultValue: plan.level }),
    reason: message(plan.level_reason_detail, plan.level_reason),
    overridden: false,
  };
  return (
    <Flex vertical gap={8}>
      <Table<Setting> aria-label={t('wizard.plan.settings')} size="small" rowKey="path" columns={columns} dataSource={[level, ...key]} pagination={false} />
      <Collapse
        size="small"
        items={[
          {
            key: 'rest',
            label: t('wizard.plan.otherSettings', { count: rest.length }),
            children: <Table<Setting> aria-label={t('wizard.plan.otherSettingsTable')} size="small" rowKey="path" columns={columns} dataSource={rest} pagination={false} />,
          },
        ]}
      />
    </Flex>
  );
}
