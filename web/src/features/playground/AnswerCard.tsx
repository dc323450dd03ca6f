import { Alert, Badge, Card, Flex, Typography, theme } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Answer, ToolCall } from './answers';
import { MarkdownText } from './MarkdownText';

// Status dots with text in the normal colour (coloured tag text is below AA contrast).
const STATUS = { waiting: 'default', streaming: 'processing', done: 'success', cut: 'warning', stopped: 'warning', incomplete: 'error' } as const;

interface Props {
  /** The region's accessible name: stable, for assistive technology and tests. */
  label: string;
  title: string;
  answer: Answer | null;
  /** Why a side waits (the base model answers after the adapter). */
  waitingText?: string;
  /** Show the text as the model wrote it instead of rendered Markdown. */
  raw?: boolean;
}

/** The function calls a model made, one `name(arguments)` line each. */
function ToolCalls({ calls }: { calls: ToolCall[] }) {
  const { t } = useTranslation();
  return (
    <Flex vertical gap={4} aria-label={t('playground.toolCalls')} role="list">
      <Typography.Text strong>{t('playground.toolCalls')}</Typography.Text>
      {calls.map((call, index) => (
        <Typography.Text key={index} code role="listitem" style={{ whiteSpace: 'pre-wrap' }}>
          {`${call.name}(${call.arguments})`}
        </Typography.Text>
      ))}
    </Flex>
  );
}

/** One model's answer, growing as pieces stream in. */
export function AnswerCard({ label, title, answer, waitingText, raw = false }: Props) {
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
        {answer?.calls && <ToolCalls calls={answer.calls} />}
        {answer?.text ? (
          <Flex vertical gap={8} style={{ minHeight: 120 }}>
            {raw || streaming ? (
              <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }}>
                {answer.text}
                {streaming && <span aria-hidden style={{ color: token.colorPrimary }}>▍</span>}
              </Typography.Paragraph>
            ) : (
              <MarkdownText text={answer.text} />
            )}
            {answer.state === 'cut' && <Alert type="warning" showIcon message={t('playground.cutNotice')} />}
          </Flex>
        ) : answer?.calls ? null : (
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
