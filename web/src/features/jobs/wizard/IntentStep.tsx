import { Alert, Collapse, Flex, Form, Input, Typography } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../api/errors';
import { LevelCards } from './LevelCards';
import { OverridesEditor } from './OverridesEditor';
import { placePlanError } from './planErrors';
import { PlanView } from './PlanView';
import { overridesOf, specValue, type Level, type OverrideRow, type Plan } from './state';

export const MAX_DESCRIPTION = 4000;

interface Props {
  level: Level;
  /** The intents this dataset can take (see levelsFor). */
  levels?: Level[];
  description: string;
  overrides: OverrideRow[];
  onChange: (patch: { level?: Level; description?: string; overrides?: OverrideRow[] }) => void;
  plan: Plan | null;
  /** The last plan shown, kept on screen (dimmed) while the next one is resolved or refused. */
  previous: Plan | null;
  loading: boolean;
  error: ApiError | null;
}

/** Step 3: how deep the change goes and the goal in words; then the plan, with expert overrides. */
export function IntentStep({ level, levels, description, overrides, onChange, plan, previous, loading, error }: Props) {
  const { t } = useTranslation();
  // Stable while only the goal changes, so the (memoised) plan table is not redrawn per key.
  const keys = useMemo(() => new Set(overrides.map((r) => r.key.trim()).filter(Boolean)), [overrides]);
  const placed = placePlanError(error, keys, t);
  const shown = plan ?? previous;
  const active = Object.keys(overridesOf(overrides)).length;

  return (
    <Flex vertical gap={24}>
      <section>
        <Typography.Title level={4}>{t('wizard.intent.levelTitle')}</Typography.Title>
        <LevelCards value={level} levels={levels} onChange={(next) => onChange({ level: next })} />
      </section>
      <Form layout="vertical" component="div">
        <Form.Item
          label={t('wizard.intent.goal')}
          htmlFor="wizard-goal"
          extra={t('wizard.intent.goalHelp')}
          validateStatus={placed.description.length > 0 ? 'error' : undefined}
          help={placed.description.length > 0 ? placed.description.join('; ') : undefined}
        >
          <Input.TextArea
            id="wizard-goal"
            value={description}
            onChange={(e) => onChange({ description: e.target.value })}
            autoSize={{ minRows: 2, maxRows: 6 }}
            maxLength={MAX_DESCRIPTION}
            showCount
            placeholder={t('wizard.intent.goalPlaceholder')}
          />
        </Form.Item>
      </Form>
      <Collapse
        items={[
          {
            key: 'overrides',
            label: active > 0 ? t('wizard.overrides.titleCount', { count: active }) : t('wizard.overrides.title'),
            children: (
              <OverridesEditor
                rows={overrides}
                onChange={(rows) => onChange({ overrides: rows })}
                settings={shown ? Object.keys(shown.reasons) : []}
                planned={(key) => (shown ? specValue(shown.spec, key) : undefined)}
                serverErrors={placed.byKey}
              />
            ),
          },
        ]}
      />
      {placed.general.length > 0 && (
        <Alert
          type="error"
          showIcon
          message={t('wizard.plan.refused')}
          description={placed.general.length === 1 ? placed.general[0] : <ul style={{ margin: 0 }}>{placed.general.map((m) => <li key={m}>{m}</li>)}</ul>}
        />
      )}
      {placed.byKey.size > 0 && <Alert type="error" showIcon message={t('wizard.overrides.fix')} />}
      <PlanView plan={error ? null : shown} loading={loading} overridden={keys} />
    </Flex>
  );
}
