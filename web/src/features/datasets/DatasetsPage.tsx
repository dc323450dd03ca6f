import { useTranslation } from 'react-i18next';
import { EmptyPage } from '../../components/EmptyPage';

export function DatasetsPage() {
  const { t } = useTranslation();
  return (
    <EmptyPage
      heading={t('nav.datasets')}
      title={t('empty.datasets.title')}
      description={t('empty.datasets.description')}
      actions={[]}
    />
  );
}
