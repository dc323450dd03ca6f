import { useTranslation } from 'react-i18next';
import { EmptyPage } from '../../components/EmptyPage';

export function JobsPage() {
  const { t } = useTranslation();
  return (
    <EmptyPage
      heading={t('nav.jobs')}
      title={t('empty.jobs.title')}
      description={t('empty.jobs.description')}
      actions={[{ label: t('empty.actions.newJob'), to: '/jobs/new', primary: true }]}
    />
  );
}
