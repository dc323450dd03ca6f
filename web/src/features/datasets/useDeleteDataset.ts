import { App } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDeleteDatasetMutation } from '../../api/datasetsApi';
import { errorText, toApiError } from '../../api/errors';
import type { Dataset } from './uploadDataset';

/**
 * Deletes a dataset. A refusal (409 while a job trains on it, 403 for someone else's) is kept
 * as `error` for an <Alert>: its message says what to do, so it must not vanish like a toast.
 */
export function useDeleteDataset(onDeleted?: (dataset: Dataset) => void) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [deleteDataset, { isLoading }] = useDeleteDatasetMutation();
  const [error, setError] = useState<string | null>(null);

  const remove = async (dataset: Dataset) => {
    setError(null);
    try {
      await deleteDataset(dataset.id).unwrap();
      void message.success(t('datasets.delete.done', { name: dataset.name }));
      onDeleted?.(dataset);
    } catch (caught) {
      setError(errorText(toApiError(caught), t));
    }
  };
  return { remove, deleting: isLoading, error, clearError: () => setError(null) };
}
