import { Card, Col, Flex, Radio, Row, Typography, theme } from 'antd';
import { useTranslation } from 'react-i18next';
import { LEVELS, type Level } from './state';

interface Props {
  value: Level;
  onChange: (level: Level) => void;
  /** The intents offered (`preference` joins them when the dataset holds pairs). */
  levels?: Level[];
}

/** How deep the change goes: auto, L1 style, L2 domain knowledge, L3 instruction reshaping, and
 * for a dataset of pairs, preference ("prefer answers like these"). */
export function LevelCards({ value, onChange, levels = LEVELS }: Props) {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  return (
    <Radio.Group value={value} onChange={(e) => onChange(e.target.value as Level)} style={{ display: 'block' }}>
      <div role="radiogroup" aria-label={t('wizard.intent.levelLabel')}>
        <Row gutter={[16, 16]}>
          {levels.map((level) => (
            <Col key={level} xs={24} md={12} xxl={levels.length > 4 ? 8 : 6}>
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
