import { Alert, App, Form, Input, Modal, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { useRegisterModelMutation } from '../../api/modelsApi';
import type { Body } from '../../api/types';
import { useDialogForm } from '../../forms/apiErrors';
import { modelLabel, type Model } from './modelInfo';

type Values = Body<'/api/v1/models', 'post'>;
const FIELDS = ['name', 'path', 'visibility'];

interface Props {
  open: boolean;
  onClose: () => void;
  onRegistered: (model: Model) => void;
}

/** Admins: register a base model from a folder or GGUF file on the server (checked by loading it). */
export function RegisterModelModal({ open, onClose, onRegistered }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [register, { isLoading }] = useRegisterModelMutation();
  const { form, formError, close, submit } = useDialogForm<Values>(FIELDS, onClose);
  const onFinish = submit(async (values) => {
    const model = await register({ ...values, name: values.name?.trim() || null }).unwrap();
    void message.success(t('models.register.done', { name: modelLabel(model) }));
    form.resetFields();
    onRegistered(model);
  });

  return (
    <Modal
      open={open}
      title={t('models.register.title')}
      okText={t('models.register.submit')}
      cancelText={t('common.cancel')}
      confirmLoading={isLoading}
      onOk={() => form.submit()}
      onCancel={close}
      destroyOnHidden
    >
      {formError && <Alert type="error" showIcon message={formError} style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" onFinish={onFinish} initialValues={{ visibility: 'shared' }} preserve={false}>
        <Form.Item
          name="path"
          label={t('models.register.path')}
          extra={t('models.register.pathHelp')}
          rules={[{ required: true, whitespace: true, message: t('models.register.pathRequired') }]}
        >
          <Input autoComplete="off" placeholder="/srv/models/Qwen2.5-0.5B-Instruct" spellCheck={false} />
        </Form.Item>
        <Form.Item name="name" label={t('models.register.name')} extra={t('models.register.nameHelp')}>
          <Input autoComplete="off" maxLength={200} />
        </Form.Item>
        <Form.Item name="visibility" label={t('models.visibility.label')} extra={t('models.register.visibilityHelp')}>
          <Select
            options={[
              { value: 'shared', label: t('models.visibility.shared') },
              { value: 'private', label: t('models.visibility.private') },
            ]}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
