import { CheckOutlined, CopyOutlined } from '@ant-design/icons';
import { Alert, Button, Flex, Form, Input, InputNumber, Modal, Typography, type InputRef } from 'antd';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Body, Schemas } from '../../api/types';
import { useDialogForm } from '../../forms/apiErrors';
import { useCreateTokenMutation } from './tokensApi';

type Values = Body<'/api/v1/auth/tokens', 'post'>;
type Created = Schemas['ApiTokenCreated'];
const FIELDS = ['name', 'expires_in_days'];
const DEFAULT_DAYS = 90;

/** Copies through the Clipboard API; without it (plain http), selects the text for Ctrl+C. */
async function copy(text: string, input: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    input?.select();
    return false;
  }
}

function Secret({ token }: { token: Created }) {
  const { t } = useTranslation();
  const input = useRef<InputRef>(null);
  const [copied, setCopied] = useState<boolean | null>(null);
  return (
    <Flex vertical gap={16}>
      <Alert type="warning" showIcon message={t('tokens.onceTitle')} description={t('tokens.onceText')} />
      <Flex gap={8}>
        <Input ref={input} readOnly value={token.token} aria-label={t('tokens.secret')} onFocus={(e) => e.target.select()} style={{ fontFamily: 'monospace' }} />
        <Button icon={copied ? <CheckOutlined /> : <CopyOutlined />} onClick={() => void copy(token.token, input.current?.input ?? null).then(setCopied)}>
          {copied ? t('tokens.copied') : t('tokens.copy')}
        </Button>
      </Flex>
      {copied === false && <Typography.Text role="status">{t('tokens.copyManually')}</Typography.Text>}
      <Typography.Text type="secondary">
        {t('tokens.usage')} <Typography.Text code>Authorization: Bearer {token.prefix}…</Typography.Text>
      </Typography.Text>
    </Flex>
  );
}

/** Name and lifetime of a new personal token; then its secret, shown this once. */
export function CreateTokenModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [createToken, { isLoading }] = useCreateTokenMutation();
  // Held only while this dialog is open: closing it forgets the secret for good.
  const [created, setCreated] = useState<Created | null>(null);
  const dialog = useDialogForm<Values>(FIELDS, onClose);
  const { form, formError } = dialog;
  const close = () => {
    setCreated(null);
    dialog.close();
  };
  const onFinish = dialog.submit(async (values) => {
    setCreated(await createToken({ ...values, name: values.name.trim() }).unwrap());
  });

  return (
    <Modal
      open={open}
      title={created ? t('tokens.createdTitle', { name: created.name }) : t('tokens.createTitle')}
      okText={created ? t('tokens.done') : t('common.create')}
      cancelText={t('common.cancel')}
      cancelButtonProps={created ? { style: { display: 'none' } } : undefined}
      confirmLoading={isLoading}
      onOk={created ? close : () => form.submit()}
      onCancel={close}
      maskClosable={!created}
      destroyOnHidden
    >
      {created ? (
        <Secret token={created} />
      ) : (
        <>
          {formError && <Alert type="error" showIcon message={formError} style={{ marginBottom: 16 }} />}
          <Form form={form} layout="vertical" onFinish={onFinish} initialValues={{ expires_in_days: DEFAULT_DAYS }} preserve={false}>
            <Form.Item
              name="name"
              label={t('tokens.name')}
              extra={t('tokens.nameHelp')}
              rules={[{ required: true, whitespace: true, message: t('tokens.nameRequired') }]}
            >
              <Input autoComplete="off" maxLength={100} />
            </Form.Item>
            <Form.Item
              name="expires_in_days"
              label={t('tokens.expiresInDays')}
              rules={[{ required: true, message: t('tokens.expiresRequired') }]}
            >
              <InputNumber min={1} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Form>
        </>
      )}
    </Modal>
  );
}
