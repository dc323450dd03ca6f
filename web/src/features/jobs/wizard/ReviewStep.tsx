import { Alert, Descriptions, Flex, Form, Input, InputNumber, Typography, type FormInstance } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useGetDatasetQuery } from '../../../api/datasetsApi';
import { useGetModelQuery } from '../../../api/modelsApi';
import { useMessage } from '../../../i18n/messages';
import { formatCount } from '../../datasets/format';
import { formatDuration, formatGiB, formatSetting } from './format';
import { estimateOf } from './PlanView';
import { overridesOf, type Plan, type WizardState } from './state';

export const MAX_PRIORITY = 10;
export const MAX_NAME = 200;

export interface LaunchValues {
  name: string;
  priority: number;
}

/** A name to start from: what is trained on what. */
export function suggestedName(model: string | undefined, dataset: string | undefined): string {
  return [model, dataset].filter(Boolean).join(' · ').slice(0, MAX_NAME);
}

interface Props {
  state: WizardState;
  plan: Plan;
  form: FormInstance<LaunchValues>;
  /** The name (suggested or typed) and priority the wizard holds; the form starts from them. */
  initial: LaunchValues;
  formError: string | null;
  onChange: (values: Partial<LaunchValues>) => void;
  onLaunch: () => void;
}

/** Step 4: what will run, as a summary, plus the job's name and priority. */
export function ReviewStep({ state, plan, form, initial, formError, onChange, onLaunch }: Props) {
  const { t } = useTranslation();
  const message = useMessage();
  // The wizard, not the form, keeps the values between visits to this step.
  const [start] = useState(initial);
  useEffect(() => form.setFieldsValue(start), [form, start]);
  const model = useGetModelQuery(state.modelId ?? '', { skip: !state.modelId });
  const dataset = useGetDatasetQuery(state.datasetId ?? '', { skip: !state.datasetId });
  const overrides = Object.entries(overridesOf(state.overrides));
  const estimate = estimateOf(plan);
  const levelName = (level: string) => t(`wizard.levels.${level}.title`, { defaultValue: level });

  return (
    <Flex vertical gap={24}>
      <Descriptions
        bordered
        size="small"
        column={1}
        title={t('wizard.review.summary')}
        items={[
          { key: 'model', label: t('wizard.review.model'), children: model.data?.name ?? state.modelId },
          {
            key: 'dataset',
            label: t('wizard.review.dataset'),
            children: dataset.data ? t('wizard.review.datasetText', { name: dataset.data.name, examples: formatCount(dataset.data.examples) }) : state.datasetId,
          },
          {
            key: 'level',
            label: t('wizard.review.level'),
            children:
              state.level === 'auto' ? t('wizard.review.autoLevel', { level: levelName(plan.level) }) : levelName(plan.level),
          },
          { key: 'goal', label: t('wizard.review.goal'), children: state.description.trim() || t('wizard.review.noGoal') },
          {
            key: 'overrides',
            label: t('wizard.review.overrides'),
            children:
              overrides.length === 0
                ? t('wizard.review.noOverrides')
                : overrides.map(([key, value]) => (
                    <div key={key}>
                      <Typography.Text code>{key}</Typography.Text> = {formatSetting(value, t)}
                    </div>
                  )),
          },
          {
            key: 'estimate',
            label: t('wizard.review.estimate'),
            children: t('wizard.review.estimateText', {
              memory: formatGiB(estimate.peak_memory_bytes),
              time: formatDuration(estimate.seconds, t),
              steps: formatCount(estimate.total_steps),
            }),
          },
        ]}
      />
      {plan.warnings.length > 0 && <Alert type="warning" showIcon message={t('wizard.review.warnings', { count: plan.warnings.length })} description={plan.warnings.map((w, i) => message(plan.warning_details?.[i], w)).join(' ')} />}
      {formError && <Alert type="error" showIcon message={formError} />}
      <Form<LaunchValues>
        form={form}
        name="launch"
        layout="vertical"
        onValuesChange={(changed: Partial<LaunchValues>) => onChange(changed)}
        onFinish={onLaunch}
        style={{ maxWidth: 640 }}
      >
        <Form.Item
          name="name"
          label={t('wizard.review.name')}
          rules={[{ required: true, whitespace: true, message: t('wizard.review.nameRequired') }, { max: MAX_NAME }]}
        >
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="priority" label={t('wizard.review.priority')} extra={t('wizard.review.priorityHelp', { max: MAX_PRIORITY })}>
          <InputNumber min={0} max={MAX_PRIORITY} precision={0} />
        </Form.Item>
      </Form>
    </Flex>
  );
}
