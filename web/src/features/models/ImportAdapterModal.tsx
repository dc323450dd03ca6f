import { UploadOutlined } from '@ant-design/icons';
import { Alert, Button, Form, Input, Modal, Select, Typography, Upload, type UploadFile } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useImportAdapterMutation } from '../../api/modelsApi';
import { errorText, toApiError, type ApiError } from '../../api/errors';
import { modelLabel, type Model } from './modelInfo';

interface Values {
  name: string;
  base_model_id: string;
  file: UploadFile[];
}

interface Props {
  open: boolean;
  bases: Model[];
  onClose: () => void;
  onImported: (model: Model) => void;
}

type Verdict = { kind: 'passed'; model: Model } | { kind: 'refused'; error: ApiError } | { kind: 'error'; error: ApiError };

/** The scan's answer: passed (now probing), refused with every reason, or another error. */
function VerdictView({ verdict }: { verdict: Verdict }) {
  const { t } = useTranslation();
  if (verdict.kind === 'passed') {
    return (
      <Alert
        type="success"
        showIcon
        message={t('models.import.passed', { name: modelLabel(verdict.model) })}
        description={t('models.import.probing')}
      />
    );
  }
  if (verdict.kind === 'refused') {
    return (
      <Alert
        type="error"
        showIcon
        message={t('models.import.refused')}
        description={
          <ul aria-label={t('models.import.reasons')} style={{ margin: 0, paddingInlineStart: 20 }}>
            {verdict.error.errors.map((reason, index) => (
              <li key={index}>{reason.message}</li>
            ))}
          </ul>
        }
      />
    );
  }
  return <Alert type="error" showIcon message={errorText(verdict.error, t)} />;
}

/** Import a PEFT LoRA adapter zip onto a base model; the server scans it and shows the verdict. */
export function ImportAdapterModal({ open, bases, onClose, onImported }: Props) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [importAdapter, { isLoading }] = useImportAdapterMutation();

  const close = () => {
    form.resetFields();
    setVerdict(null);
    onClose();
  };
  const onFinish = async (values: Values) => {
    const file = values.file[0]?.originFileObj;
    if (!file) return;
    const body = new FormData();
    body.append('name', values.name.trim());
    body.append('base_model_id', values.base_model_id);
    body.append('file', file, file.name);
    try {
      const model = await importAdapter(body).unwrap();
      setVerdict({ kind: 'passed', model });
      onImported(model);
    } catch (caught) {
      const error = toApiError(caught);
      setVerdict({ kind: error.code === 'adapter_refused' ? 'refused' : 'error', error });
    }
  };
  const passed = verdict?.kind === 'passed';

  return (
    <Modal
      open={open}
      title={t('models.import.title')}
      okText={passed ? t('models.import.close') : t('models.import.submit')}
      cancelText={t('common.cancel')}
      confirmLoading={isLoading}
      onOk={() => (passed ? close() : form.submit())}
      onCancel={close}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('models.import.intro')}</Typography.Paragraph>
      {verdict && (
        <div role="status" style={{ marginBottom: 16 }}>
          <VerdictView verdict={verdict} />
        </div>
      )}
      <Form form={form} layout="vertical" onFinish={(values) => void onFinish(values)} preserve={false} disabled={passed}>
        <Form.Item name="name" label={t('models.import.name')} rules={[{ required: true, whitespace: true, message: t('models.import.nameRequired') }]}>
          <Input autoComplete="off" maxLength={200} />
        </Form.Item>
        <Form.Item name="base_model_id" label={t('models.import.base')} rules={[{ required: true, message: t('models.import.baseRequired') }]}>
          <Select
            aria-label={t('models.import.base')}
            options={bases.map((base) => ({ value: base.id, label: modelLabel(base) }))}
            showSearch
            optionFilterProp="label"
          />
        </Form.Item>
        <Form.Item
          name="file"
          label={t('models.import.file')}
          extra={t('models.import.fileHelp')}
          valuePropName="fileList"
          getValueFromEvent={(event: { fileList: UploadFile[] }) => event.fileList.slice(-1)}
          rules={[{ required: true, message: t('models.import.fileRequired') }]}
        >
          <Upload accept=".zip,application/zip" maxCount={1} beforeUpload={() => false}>
            <Button icon={<UploadOutlined />}>{t('models.import.choose')}</Button>
          </Upload>
        </Form.Item>
      </Form>
    </Modal>
  );
}
