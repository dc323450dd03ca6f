import { useTranslation } from 'react-i18next';
import { EmptyPage } from '../../components/EmptyPage';

export function PlaygroundPage() {
  const { t } = useTranslation();
  return (
    <EmptyPage
      heading={t('nav.playground')}
      title={t('empty.playground.title')}
      description={t('empty.playground.description')}
      actions={[{ label: t('empty.actions.models'), to: '/models' }]}
    />
  );
}
