import { Card, Col, Flex, Radio, Row, Typography, theme } from 'antd';
import { useTranslation } from 'react-i18next';
import { LEVELS, type Level } from './state';

/** How deep the change goes: auto, L1 style, L2 domain knowledge, L3 instruction reshaping. */
export function LevelCards({ value, onChange }: { value: Level; onChange: (level: Level) => void }) {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  return (
    <Radio.Group value={value} onChange={(e) => onChange(e.target.value as Level)} style={{ display: 'block' }}>
      <div role="radiogroup" aria-label={t('wizard.intent.levelLabel')}>
        <Row gutter={[16, 16]}>
          {LEVELS.map((level) => (
            <Col key={level} xs={24} md={12} xxl={6}>
              <Card
                hoverable
                size="small"
                onClick={() => onChange(level)}
                style={{
                  height: '100%',
                  borderColor: level === value ? token.colorPrimary : undefined,
                  boxShadow: level === value ? `0 0 0 1px ${token.colorPrimary}` : undefined,
                }}
              >
                <Flex vertical gap={4}>
                  <Radio value={level}>
                    <Typography.Text strong>{t(`wizard.levels.${level}.title`)}</Typography.Text>
                  </Radio>
                  <Typography.Text>{t(`wizard.levels.${level}.text`)}</Typography.Text>
                  <Typography.Text type="secondary" italic>
                    {t(`wizard.levels.${level}.example`)}
                  </Typography.Text>
                </Flex>
              </Card>
            </Col>
          ))}
        </Row>
      </div>
    </Radio.Group>
  );
}
