import { useTranslation } from 'react-i18next';
import { EmptyPage } from '../../components/EmptyPage';

export function DashboardPage() {
  const { t } = useTranslation();
  return (
    <EmptyPage
      heading={t('nav.dashboard')}
      title={t('empty.dashboard.title')}
      description={t('empty.dashboard.description')}
      actions={[{ label: t('empty.actions.newJob'), to: '/jobs/new', primary: true }]}
    />
  );
}
