import { Alert, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

type Outcome = 'ok' | 'forgot' | 'unsafe' | null | undefined;

/** A fine-tune that learned but did not keep what the base model could do: say so up front. */
export function OutcomeAlert({ outcome, message }: { outcome: Outcome; message: string | null | undefined }) {
  const { t } = useTranslation();
  if (outcome !== 'forgot') return null;
  return (
    <Alert
      type="warning"
      showIcon
      role="alert"
      style={{ marginBottom: 16 }}
      message={<Typography.Text strong>{t('outcome.forgot.title')}</Typography.Text>}
      description={
        <>
          <Typography.Paragraph style={{ marginBottom: 8 }}>{t('outcome.forgot.summary')}</Typography.Paragraph>
          {message && <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }}>{message}</Typography.Paragraph>}
        </>
      }
    />
  );
}
