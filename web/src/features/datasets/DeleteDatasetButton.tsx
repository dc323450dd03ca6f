import { DeleteOutlined } from '@ant-design/icons';
import { Button, Popconfirm } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Dataset } from './uploadDataset';

interface Props {
  dataset: Dataset;
  onConfirm: (dataset: Dataset) => Promise<void>;
  withText?: boolean;
}

/** A delete button that asks first, naming the dataset. */
export function DeleteDatasetButton({ dataset, onConfirm, withText = false }: Props) {
  const { t } = useTranslation();
  return (
    <Popconfirm
      title={t('datasets.delete.confirmTitle', { name: dataset.name })}
      description={t('datasets.delete.confirmText')}
      okText={t('datasets.delete.ok')}
      okButtonProps={{ danger: true }}
      cancelText={t('common.cancel')}
      onConfirm={() => onConfirm(dataset)}
    >
      <Button danger icon={<DeleteOutlined />} aria-label={t('datasets.delete.button', { name: dataset.name })}>
        {withText ? t('datasets.delete.ok') : null}
      </Button>
    </Popconfirm>
  );
}
