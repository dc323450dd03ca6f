import { useTranslation } from 'react-i18next';
import { EmptyPage } from '../../components/EmptyPage';

export function ModelsPage() {
  const { t } = useTranslation();
  return (
    <EmptyPage
      heading={t('nav.models')}
      title={t('empty.models.title')}
      description={t('empty.models.description')}
      actions={[{ label: t('empty.actions.newJob'), to: '/jobs/new' }]}
    />
  );
}
