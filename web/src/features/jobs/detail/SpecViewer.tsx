import { Collapse, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/** The resolved spec (what the job really trains with), folded away until asked for. */
export function SpecViewer({ spec }: { spec: Record<string, unknown> }) {
  const { t } = useTranslation();
  return (
    <Collapse
      items={[
        {
          key: 'spec',
          label: t('jobs.spec.title'),
          children: (
            <>
              <Typography.Paragraph type="secondary">{t('jobs.spec.help')}</Typography.Paragraph>
              <pre style={{ margin: 0, maxHeight: 480, overflow: 'auto', fontSize: 12 }} tabIndex={0}>
                {JSON.stringify(spec, null, 2)}
              </pre>
            </>
          ),
        },
      ]}
    />
  );
}
