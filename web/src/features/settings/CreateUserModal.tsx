import { Alert, App, Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Body } from '../../api/types';
import { useDialogForm } from '../../forms/apiErrors';
import { RequiredSelect } from '../../components/RequiredSelect';
import { MIN_PASSWORD_LENGTH, ROLES } from './constants';
import { useCreateUserMutation } from './usersApi';

type Values = Body<'/api/v1/users', 'post'>;
const FIELDS = ['username', 'password', 'role'];

export function CreateUserModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [createUser, { isLoading }] = useCreateUserMutation();
  const { form, formError, close, submit } = useDialogForm<Values>(FIELDS, onClose);
  const onFinish = submit(async (values) => {
    const user = await createUser(values).unwrap();
    void message.success(t('settings.users.created', { username: user.username }));
    close();
  });

  return (
    <Modal
      open={open}
      title={t('settings.users.createTitle')}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={isLoading}
      onOk={() => form.submit()}
      onCancel={close}
      destroyOnHidden
    >
      {formError && <Alert type="error" showIcon message={formError} style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" onFinish={onFinish} initialValues={{ role: 'engineer' }} preserve={false}>
        <Form.Item name="username" label={t('settings.users.username')} rules={[{ required: true, message: t('settings.users.usernameRequired') }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="password"
          label={t('settings.users.password')}
          rules={[
            { required: true, message: t('settings.users.passwordRequired') },
            { min: MIN_PASSWORD_LENGTH, message: t('settings.password.tooShort', { min: MIN_PASSWORD_LENGTH }) },
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="role" label={t('settings.users.role')} rules={[{ required: true }]}>
          <RequiredSelect options={ROLES.map((r) => ({ value: r, label: t(`user.roles.${r}`) }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
