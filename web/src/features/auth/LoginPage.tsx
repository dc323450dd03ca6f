import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Flex, Form, Input, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import type { Body } from '../../api/types';
import { useAppSelector } from '../../app/hooks';
import { useApiErrors } from '../../forms/apiErrors';
import { PreferenceSwitches } from '../preferences/PreferenceSwitches';
import { useLoginMutation } from './authApi';
import { selectSessionExpired } from './authSlice';
import { safeNext } from './next';

type LoginValues = Body<'/api/v1/auth/login', 'post'>;
const FIELDS = ['username', 'password'];

export function LoginPage() {
  const { t } = useTranslation();
  const [form] = Form.useForm<LoginValues>();
  const [login, { isLoading }] = useLoginMutation();
  const { formError, show, clear } = useApiErrors(form, FIELDS);
  const expired = useAppSelector(selectSessionExpired);
  const [params] = useSearchParams();
  const navigate = useNavigate();

  const onFinish = async (values: LoginValues) => {
    clear();
    try {
      await login(values).unwrap();
      void navigate(safeNext(params.get('next')), { replace: true });
    } catch (error) {
      show(error);
    }
  };

  return (
    <Flex vertical align="center" justify="center" style={{ minHeight: '100vh', padding: 16 }}>
      <Flex justify="flex-end" style={{ position: 'absolute', top: 16, right: 16 }}>
        <PreferenceSwitches />
      </Flex>
      <Card style={{ width: '100%', maxWidth: 380 }}>
        <Typography.Title level={3} style={{ marginTop: 0 }}>
          {t('auth.title')}
        </Typography.Title>
        {expired && !formError && <Alert type="info" showIcon message={t('auth.sessionExpired')} style={{ marginBottom: 16 }} />}
        {formError && <Alert type="error" showIcon message={formError} style={{ marginBottom: 16 }} />}
        <Form form={form} layout="vertical" onFinish={onFinish} requiredMark={false} disabled={isLoading}>
          <Form.Item name="username" label={t('auth.username')} rules={[{ required: true, message: t('auth.usernameRequired') }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item name="password" label={t('auth.password')} rules={[{ required: true, message: t('auth.passwordRequired') }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={isLoading}>
            {t('auth.submit')}
          </Button>
        </Form>
      </Card>
    </Flex>
  );
}
