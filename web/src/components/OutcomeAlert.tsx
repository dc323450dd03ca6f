import { Alert, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useMessage, type MessageDetail } from '../i18n/messages';

type Outcome = 'ok' | 'forgot' | 'unsafe' | null | undefined;

interface Props {
  outcome: Outcome;
  /** The API's English sentence, shown when there is no coded one. */
  message: string | null | undefined;
  /** The same sentence as {code, params}, rendered in the reader's language. */
  detail?: MessageDetail | null;
}

/** A fine-tune that learned but did not keep what the base model could do: say so up front. */
export function OutcomeAlert({ outcome, message, detail }: Props) {
  const { t } = useTranslation();
  const say = useMessage();
  if (outcome !== 'forgot') return null;
  const sentence = message || detail ? say(detail, message ?? '') : '';
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
          {sentence && <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }}>{sentence}</Typography.Paragraph>}
        </>
      }
    />
  );
}
