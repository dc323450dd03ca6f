import { RocketOutlined } from '@ant-design/icons';
import { Alert, App, Button, Flex, Form, Steps, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { useGetDatasetQuery } from '../../../api/datasetsApi';
import { useCreateJobMutation } from '../../../api/jobsApi';
import { useGetModelQuery } from '../../../api/modelsApi';
import { useApiErrors } from '../../../forms/apiErrors';
import { useCurrentUser } from '../../auth/RequireAuth';
import { DatasetStep } from './DatasetStep';
import { IntentStep } from './IntentStep';
import { ModelStep } from './ModelStep';
import { MAX_PRIORITY, ReviewStep, suggestedName, type LaunchValues } from './ReviewStep';
import { initialState, levelsFor, planBody, rowProblems, type WizardState } from './state';
import { usePlan } from './usePlan';

const STEPS = ['model', 'dataset', 'intent', 'review'] as const;
const LAUNCH_FIELDS = ['name', 'priority'];

/**
 * The four steps of a new job: base model, dataset, intent (with the resolved plan and expert
 * overrides), review and launch. Choices live here, so going back and forth keeps them.
 */
export function NewJobWizard() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const me = useCurrentUser();
  const [params] = useSearchParams();
  // ?model=ID and ?dataset=ID preselect (the datasets page links here with its dataset).
  const [state, setState] = useState<WizardState>(() => initialState(params.get('model'), params.get('dataset')));
  const [step, setStep] = useState(0);
  const patch = (change: Partial<WizardState>) => setState((s) => ({ ...s, ...change }));

  const model = useGetModelQuery(state.modelId ?? '', { skip: !state.modelId });
  const dataset = useGetDatasetQuery(state.datasetId ?? '', { skip: !state.datasetId });
  const body = planBody(state);
  const planned = usePlan(body, step >= 2);
  const rowsOk = rowProblems(state.overrides).size === 0;
  const name = state.name ?? suggestedName(model.currentData?.name, dataset.currentData?.name);
  const kind = dataset.currentData?.report.kind;
  const levels = levelsFor(typeof kind === 'string' ? kind : null);

  const [form] = Form.useForm<LaunchValues>();
  const { formError, show, clear } = useApiErrors(form, LAUNCH_FIELDS);
  const [createJob, { isLoading: launching }] = useCreateJobMutation();
  const canCreate = me?.permissions.includes('jobs:create') ?? false;

  const valid = [
    model.currentData?.kind === 'base',
    dataset.currentData !== undefined,
    planned.plan !== null && rowsOk,
    name.trim().length > 0 && state.priority >= 0 && state.priority <= MAX_PRIORITY && canCreate,
  ];
  const reachable = (index: number) => valid.slice(0, index).every(Boolean);

  const launch = async () => {
    if (!body) return;
    clear();
    try {
      const job = await createJob({ ...body, name: name.trim(), priority: state.priority }).unwrap();
      void message.success(t('wizard.launched', { name: job.name }));
      void navigate(`/jobs/${job.id}`);
    } catch (error) {
      show(error);
    }
  };

  const hint = (): string | null => {
    if (valid[step]) return null;
    if (step === 2 && planned.loading) return t('wizard.hints.planning');
    if (step === 2 && (planned.error || !rowsOk)) return t('wizard.hints.planError');
    if (step === 3 && !canCreate) return t('wizard.hints.noPermission');
    return t(`wizard.hints.${STEPS[step]}`);
  };

  const content = [
    <ModelStep key="model" value={state.modelId} onChange={(modelId) => patch({ modelId })} />,
    <DatasetStep
      key="dataset"
      value={state.datasetId}
      // Another dataset may hold no pairs: the preference intent is chosen again, not carried over.
      onChange={(datasetId) => patch({ datasetId, ...(state.level === 'preference' && { level: 'auto' }) })}
    />,
    <IntentStep
      key="intent"
      level={state.level}
      levels={levels}
      description={state.description}
      overrides={state.overrides}
      onChange={patch}
      plan={planned.plan}
      previous={planned.previous}
      loading={planned.loading}
      error={planned.error}
    />,
    planned.plan && (
      <ReviewStep
        key="review"
        state={state}
        plan={planned.plan}
        form={form}
        initial={{ name, priority: state.priority }}
        formError={formError}
        onChange={({ name: typed, priority }) =>
          patch({ ...(typed !== undefined && { name: typed }), ...(priority !== undefined && { priority: priority ?? 0 }) })
        }
        onLaunch={() => void launch()}
      />
    ),
  ];

  return (
    <Flex vertical gap={24}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('wizard.title')}
      </Typography.Title>
      {!canCreate && <Alert type="warning" showIcon message={t('wizard.readOnly')} />}
      <Steps
        current={step}
        onChange={(index) => reachable(index) && setStep(index)}
        items={STEPS.map((key, index) => ({
          title: t(`wizard.steps.${key}`),
          description: t(`wizard.steps.${key}Help`),
          disabled: !reachable(index),
        }))}
      />
      <section aria-label={t('wizard.stepLabel', { n: step + 1, total: STEPS.length, title: t(`wizard.steps.${STEPS[step]}`) })}>
        {content[step]}
      </section>
      <Flex justify="space-between" align="center" gap={16} wrap>
        <Button disabled={step === 0} onClick={() => setStep(step - 1)}>
          {t('wizard.back')}
        </Button>
        <Flex gap={12} align="center" wrap>
          {hint() && (
            <Typography.Text type="secondary" role="status">
              {hint()}
            </Typography.Text>
          )}
          {step < STEPS.length - 1 ? (
            <Button type="primary" disabled={!valid[step]} onClick={() => setStep(step + 1)}>
              {t('wizard.next')}
            </Button>
          ) : (
            <Button type="primary" icon={<RocketOutlined />} loading={launching} disabled={!valid.every(Boolean)} onClick={() => form.submit()}>
              {t('wizard.launch')}
            </Button>
          )}
        </Flex>
      </Flex>
    </Flex>
  );
}
