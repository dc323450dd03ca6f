import { Alert, Form, Modal, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useListDatasetsQuery } from '../../api/datasetsApi';
import { useCreateEvaluationMutation } from '../../api/evaluationsApi';
import { useListModelsQuery } from '../../api/modelsApi';
import type { Schemas } from '../../api/types';
import { useDialogForm } from '../../forms/apiErrors';

type Model = Schemas['ModelPublic'];
interface Values {
  model_ids: string[];
  dataset_id?: string;
}
const FIELDS = ['model_ids', 'dataset_id'];
// The API's largest page; the picker lists every model the user can see.
const LIMIT = 500;
export const MAX_COMPARED = 16;
// The server's defaults, sent as they are: every probe, 32 held-out examples, 32 tokens per answer.
const DEFAULTS = { probes: 'default', max_held_out: 32, max_new_tokens: 32 } as const;

const label = (model: Model) => `${model.name} v${model.version}`;

interface Props {
  open: boolean;
  onClose: () => void;
  /** Models ticked when the dialog opens. */
  initial?: string[];
}

/** Pick base models and adapters (and optionally a dataset), then queue an evaluation job and open it. */
export function CompareModelsModal({ open, onClose, initial = [] }: Props) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const models = useListModelsQuery({ limit: LIMIT }, { skip: !open });
  const datasets = useListDatasetsQuery({ limit: LIMIT }, { skip: !open });
  const [create, { isLoading }] = useCreateEvaluationMutation();
  const { form, formError, close, submit } = useDialogForm<Values>(FIELDS, onClose);
  const onFinish = submit(async (values) => {
    const job = await create({ ...DEFAULTS, model_ids: values.model_ids, dataset_id: values.dataset_id ?? null }).unwrap();
    form.resetFields();
    void navigate(`/evaluations/${job.id}`);
  });
  const all = models.data?.data ?? [];
  const group = (kind: Model['kind'], title: string) => ({
    label: title,
    options: all.filter((m) => m.kind === kind).map((m) => ({ value: m.id, label: label(m) })),
  });

  return (
    <Modal
      open={open}
      title={t('evaluation.compare.title')}
      okText={t('evaluation.compare.submit')}
      cancelText={t('common.cancel')}
      confirmLoading={isLoading}
      onOk={() => form.submit()}
      onCancel={close}
      destroyOnHidden
    >
      {formError && <Alert type="error" showIcon message={formError} style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" onFinish={onFinish} initialValues={{ model_ids: initial }} preserve={false}>
        <Form.Item
          name="model_ids"
          label={t('evaluation.compare.models')}
          extra={t('evaluation.compare.modelsHelp')}
          rules={[
            { required: true, type: 'array', min: 1, message: t('evaluation.compare.modelsRequired') },
            { type: 'array', max: MAX_COMPARED, message: t('evaluation.compare.tooMany', { max: MAX_COMPARED }) },
          ]}
        >
          <Select
            mode="multiple"
            aria-label={t('evaluation.compare.models')}
            loading={models.isFetching}
            optionFilterProp="label"
            options={[group('adapter', t('evaluation.compare.adapters')), group('base', t('evaluation.compare.bases'))]}
          />
        </Form.Item>
        <Form.Item name="dataset_id" label={t('evaluation.compare.dataset')} extra={t('evaluation.compare.datasetHelp')}>
          <Select
            allowClear
            aria-label={t('evaluation.compare.dataset')}
            loading={datasets.isFetching}
            optionFilterProp="label"
            options={(datasets.data?.data ?? []).filter((d) => d.format !== 'text').map((d) => ({ value: d.id, label: d.name }))}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
