import { Alert, App, Button, Form, Input } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApiErrors } from '../../forms/apiErrors';
import { useChangePasswordMutation } from '../auth/authApi';
import { MIN_PASSWORD_LENGTH } from './constants';

const FIELDS = ['current_password', 'new_password'];

interface Values {
  current_password: string;
  new_password: string;
  confirm: string;
}

export function PasswordTab() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [changePassword, { isLoading }] = useChangePasswordMutation();
  const { formError, show, clear } = useApiErrors(form, FIELDS);

  const onFinish = async ({ current_password, new_password }: Values) => {
    clear();
    try {
      await changePassword({ current_password, new_password }).unwrap();
      form.resetFields();
      void message.success(t('settings.password.changed'));
    } catch (error) {
      show(error);
    }
  };

  return (
    <Form form={form} layout="vertical" onFinish={onFinish} style={{ maxWidth: 400 }} disabled={isLoading}>
      {formError && <Alert type="error" showIcon message={formError} style={{ marginBottom: 16 }} />}
      <Form.Item
        name="current_password"
        label={t('settings.password.current')}
        rules={[{ required: true, message: t('settings.password.currentRequired') }]}
      >
        <Input.Password autoComplete="current-password" />
      </Form.Item>
      <Form.Item
        name="new_password"
        label={t('settings.password.new')}
        rules={[
          { required: true, message: t('settings.password.newRequired') },
          { min: MIN_PASSWORD_LENGTH, message: t('settings.password.tooShort', { min: MIN_PASSWORD_LENGTH }) },
        ]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Form.Item
        name="confirm"
        label={t('settings.password.confirm')}
        dependencies={['new_password']}
        rules={[
          { required: true, message: t('settings.password.newRequired') },
          ({ getFieldValue }) => ({
            validator: (_rule, value) =>
              !value || value === getFieldValue('new_password')
                ? Promise.resolve()
                : Promise.reject(new Error(t('settings.password.mismatch'))),
          }),
        ]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={isLoading}>
        {t('settings.password.submit')}
      </Button>
    </Form>
  );
}
