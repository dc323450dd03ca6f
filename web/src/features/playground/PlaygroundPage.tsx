import { Alert, Button, Card, Checkbox, Col, Flex, Form, Input, InputNumber, Row, Skeleton, Switch, Typography } from 'antd';
import { useMemo, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { errorText, toApiError } from '../../api/errors';
import { useListModelsQuery } from '../../api/modelsApi';
import { EmptyPage } from '../../components/EmptyPage';
import { OutcomeAlert } from '../../components/OutcomeAlert';
import { RequiredSelect } from '../../components/RequiredSelect';
import { useApiErrors } from '../../forms/apiErrors';
import { useCurrentUser } from '../auth/RequireAuth';
import { modelLabel, type Model } from '../models/modelInfo';
import { AnswerCard } from './AnswerCard';
import type { Answers } from './answers';
import { FIELDS, withFormParams } from './fields';
import { StreamEndedEarly, type GenerateBody } from './generate';
import { parseTools } from './tools';
import { useGenerate } from './useGenerate';

interface Values {
  model_id: string;
  system?: string;
  message: string;
  tools?: string;
  max_new_tokens: number;
  temperature: number;
  compare_base: boolean;
}

const DEFAULTS = { max_new_tokens: 256, temperature: 0, compare_base: true };
const TOOLS_EXAMPLE = '[{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]';

function toBody(values: Values, adapter: boolean): GenerateBody {
  const system = values.system?.trim();
  const { tools } = parseTools(values.tools);
  return {
    model_id: values.model_id,
    messages: [...(system ? [{ role: 'system' as const, content: system }] : []), { role: 'user' as const, content: values.message }],
    max_new_tokens: values.max_new_tokens,
    temperature: values.temperature,
    compare_base: adapter && values.compare_base,
    ...(tools && { tools: tools as GenerateBody['tools'] }),
  };
}

interface PanelProps {
  answers: Answers | null;
  target: Model | undefined;
  models: ReadonlyMap<string, Model>;
  twoSides: boolean;
}

/** The answer cards: an adapter's next to its base model's, or a base model's alone. */
function AnswerPanel({ answers, target, models, twoSides }: PanelProps) {
  const { t } = useTranslation();
  const [raw, setRaw] = useState(false);
  const tuned = target?.kind === 'adapter' ? target : undefined;
  const baseModel = tuned ? (tuned.base_model_id ? models.get(tuned.base_model_id) : undefined) : target;
  const baseTitle = t('playground.answers.baseTitle', { name: baseModel ? modelLabel(baseModel) : t('playground.answers.baseUnknown') });
  const both = twoSides && tuned !== undefined;
  return (
    <Flex vertical gap={8}>
      <Checkbox checked={raw} onChange={(event) => setRaw(event.target.checked)} style={{ alignSelf: 'flex-end' }}>
        {t('playground.rawText')}
      </Checkbox>
      <Row gutter={[16, 16]}>
        {both && (
          <Col xs={24} lg={12}>
            <AnswerCard label={t('playground.answers.base')} title={baseTitle} answer={answers?.base ?? null} waitingText={t('playground.answers.baseWaits')} raw={raw} />
          </Col>
        )}
        <Col xs={24} lg={both ? 12 : 24}>
          <AnswerCard
            label={t(tuned ? 'playground.answers.tuned' : 'playground.answers.base')}
            title={tuned ? t('playground.answers.tunedTitle', { name: modelLabel(tuned) }) : baseTitle}
            answer={answers?.model ?? null}
            raw={raw}
          />
        </Col>
      </Row>
    </Flex>
  );
}

function PlaygroundForm({ models, initialModel }: { models: Model[]; initialModel: string | undefined }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const [, setParams] = useSearchParams();
  const [form] = Form.useForm<Values>();
  const { formError, show, clear } = useApiErrors(form, FIELDS);
  const { answers, running, run, stop } = useGenerate();
  const byId = useMemo(() => new Map(models.map((m) => [m.id, m])), [models]);
  const selected = byId.get(Form.useWatch('model_id', form) ?? initialModel ?? '');
  const isAdapter = selected?.kind === 'adapter';
  const compare = (Form.useWatch('compare_base', form) as boolean | undefined) ?? DEFAULTS.compare_base;
  const [shown, setShown] = useState<{ model: Model; compare: boolean } | null>(null);
  const [incomplete, setIncomplete] = useState(false);
  const allowed = me?.permissions.includes('playground:use') ?? false;

  const options = (['adapter', 'base'] as const)
    .map((kind) => ({
      label: t(`playground.groups.${kind}`),
      title: t(`playground.groups.${kind}`),
      options: models.filter((m) => m.kind === kind).map((m) => ({ value: m.id, label: modelLabel(m) })),
    }))
    .filter((group) => group.options.length > 0);

  const onFinish = async (values: Values) => {
    clear();
    setIncomplete(false);
    const body = toBody(values, isAdapter);
    if (selected) setShown({ model: selected, compare: body.compare_base ?? false });
    const outcome = await run(body);
    if (outcome.ok) return;
    const { error } = outcome;
    if (error instanceof StreamEndedEarly) setIncomplete(true);
    else if (error instanceof TypeError) show({ status: 'FETCH_ERROR', error: error.message });
    else show(withFormParams(error as { status: number; data: unknown }, body.messages.map((m) => m.role)));
  };
  const submitOnCtrlEnter = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) form.submit();
  };

  // The cards follow the last run's model while it has answers, else the current choice.
  const target = answers && shown ? shown.model : selected;
  const twoSides = answers && shown ? shown.compare : isAdapter && compare;
  return (
    <Flex vertical gap={16}>
      {!allowed && <Alert type="warning" showIcon message={t('playground.notAllowed')} />}
      <OutcomeAlert outcome={selected?.outcome} message={selected?.outcome_message} detail={selected?.outcome_detail} />
      <Card>
        <Form<Values>
          form={form}
          layout="vertical"
          onFinish={onFinish}
          onValuesChange={(changed: Partial<Values>) => {
            if (changed.model_id) setParams({ model: changed.model_id }, { replace: true });
          }}
          initialValues={{ ...DEFAULTS, model_id: initialModel }}
          disabled={!allowed}
        >
          {formError && <Alert type="error" showIcon message={formError} style={{ marginBottom: 16 }} />}
          <Row gutter={24}>
            <Col xs={24} xl={16}>
              <Form.Item name="model_id" label={t('playground.model')} rules={[{ required: true, message: t('playground.modelRequired') }]}>
                <RequiredSelect showSearch optionFilterProp="label" options={options} placeholder={t('playground.modelPlaceholder')} />
              </Form.Item>
              <Form.Item name="system" label={t('playground.system')} extra={t('playground.systemHelp')}>
                <Input.TextArea autoSize={{ minRows: 1, maxRows: 6 }} maxLength={32000} />
              </Form.Item>
              <Form.Item
                name="message"
                label={t('playground.message')}
                extra={t('playground.messageHelp')}
                rules={[{ required: true, whitespace: true, message: t('playground.messageRequired') }]}
              >
                <Input.TextArea autoSize={{ minRows: 3, maxRows: 12 }} maxLength={32000} onKeyDown={submitOnCtrlEnter} />
              </Form.Item>
              <Form.Item
                name="tools"
                label={t('playground.tools')}
                extra={t('playground.toolsHelp')}
                rules={[
                  {
                    validator: (_, value: string | undefined) => {
                      const { problem } = parseTools(value);
                      return problem ? Promise.reject(new Error(t(`playground.toolsProblem.${problem}`))) : Promise.resolve();
                    },
                  },
                ]}
              >
                <Input.TextArea autoSize={{ minRows: 1, maxRows: 10 }} maxLength={64000} placeholder={TOOLS_EXAMPLE} spellCheck={false} />
              </Form.Item>
            </Col>
            <Col xs={24} xl={8}>
              <Form.Item name="max_new_tokens" label={t('playground.maxNewTokens')} rules={[{ required: true, message: t('playground.maxNewTokensRequired') }]}>
                <InputNumber min={1} max={2048} precision={0} style={{ width: '100%' }} />
              </Form.Item>
              <Form.Item name="temperature" label={t('playground.temperature')} extra={t('playground.temperatureHelp')} rules={[{ required: true, message: t('playground.temperatureRequired') }]}>
                <InputNumber min={0} max={2} step={0.1} style={{ width: '100%' }} />
              </Form.Item>
              {isAdapter && (
                <Form.Item name="compare_base" label={t('playground.compare')} valuePropName="checked" extra={t('playground.compareHelp')}>
                  <Switch />
                </Form.Item>
              )}
              <Flex gap={8}>
                <Button type="primary" htmlType="submit" loading={running}>
                  {t('playground.generate')}
                </Button>
                <Button danger disabled={!running} onClick={stop}>
                  {t('playground.stop')}
                </Button>
              </Flex>
            </Col>
          </Row>
        </Form>
      </Card>
      {incomplete && <Alert type="error" showIcon message={t('playground.incomplete')} />}
      <AnswerPanel answers={answers} target={target} models={byId} twoSides={twoSides} />
    </Flex>
  );
}

/** Chat with a base model or an adapter; an adapter's answer streams next to its base model's. */
export function PlaygroundPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const models = useListModelsQuery({ limit: 500 });
  const requested = params.get('model');

  if (models.data?.count === 0) {
    return (
      <EmptyPage
        heading={t('playground.title')}
        title={t('playground.emptyTitle')}
        description={t('playground.emptyDescription')}
        actions={[
          { label: t('playground.goToModels'), to: '/models', primary: true },
          { label: t('playground.newJob'), to: '/jobs/new' },
        ]}
      />
    );
  }
  const list = models.data?.data ?? [];
  const known = requested !== null && list.some((m) => m.id === requested);
  return (
    <>
      <Typography.Title level={3}>{t('playground.title')}</Typography.Title>
      {models.isError && <Alert type="error" showIcon message={errorText(toApiError(models.error), t)} />}
      {models.isLoading && <Skeleton active />}
      {models.data && (
        <Flex vertical gap={16}>
          {requested !== null && !known && <Alert type="warning" showIcon message={t('playground.unknownModel', { id: requested })} />}
          <PlaygroundForm models={list} initialModel={known ? requested : undefined} />
        </Flex>
      )}
    </>
  );
}
