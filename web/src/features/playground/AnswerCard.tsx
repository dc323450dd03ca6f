import { Badge, Card, Flex, Typography, theme } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Answer } from './answers';

// Status dots with text in the normal colour (coloured tag text is below AA contrast).
const STATUS = { waiting: 'default', streaming: 'processing', done: 'success', stopped: 'warning', incomplete: 'error' } as const;

interface Props {
  /** The region's accessible name: stable, for assistive technology and tests. */
  label: string;
  title: string;
  answer: Answer | null;
  /** Why a side waits (the base model answers after the adapter). */
  waitingText?: string;
}

/** One model's answer, growing as pieces stream in. */
export function AnswerCard({ label, title, answer, waitingText }: Props) {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const streaming = answer?.state === 'streaming';
  return (
    <section aria-label={label} aria-busy={streaming} style={{ height: '100%' }}>
      <Card
        title={title}
        extra={answer && <Badge status={STATUS[answer.state]} text={t(`playground.state.${answer.state}`)} />}
        style={{ height: '100%' }}
      >
        {answer?.text ? (
          <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0, minHeight: 120 }}>
            {answer.text}
            {streaming && <span aria-hidden style={{ color: token.colorPrimary }}>▍</span>}
          </Typography.Paragraph>
        ) : (
          <Flex align="center" justify="center" style={{ minHeight: 120 }}>
            <Typography.Text type="secondary">
              {!answer ? t('playground.placeholder') : answer.state === 'waiting' && waitingText ? waitingText : t(`playground.empty.${answer.state}`)}
            </Typography.Text>
          </Flex>
        )}
      </Card>
    </section>
  );
}
