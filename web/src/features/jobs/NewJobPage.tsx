import { useTranslation } from 'react-i18next';
import { EmptyPage } from '../../components/EmptyPage';

export function NewJobPage() {
  const { t } = useTranslation();
  return (
    <EmptyPage
      heading={t('nav.newJob')}
      title={t('empty.newJob.title')}
      description={t('empty.newJob.description')}
      actions={[{ label: t('empty.actions.datasets'), to: '/datasets', primary: true }, { label: t('empty.actions.models'), to: '/models' }]}
    />
  );
}
