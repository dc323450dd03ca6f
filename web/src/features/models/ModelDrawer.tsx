import { DeleteOutlined, DiffOutlined, ExperimentOutlined } from '@ant-design/icons';
import { Alert, App, Button, Drawer, Flex, Skeleton, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { errorText, toApiError } from '../../api/errors';
import { useDeleteModelMutation, useGetModelQuery } from '../../api/modelsApi';
import { CompareModelsModal } from '../evaluation/CompareModelsModal';
import { AdapterDetails } from './AdapterDetails';
import { BaseModelDetails } from './BaseModelDetails';
import { DownloadControl } from './DownloadControl';
import { ServingRecipe } from './ServingRecipe';
import { modelLabel, type Model } from './modelInfo';
import { useModelAccess } from './useModelAccess';

function Actions({ model, onDeleted }: { model: Model; onDeleted: () => void }) {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const navigate = useNavigate();
  const access = useModelAccess();
  const [deleteModel] = useDeleteModelMutation();
  const [error, setError] = useState<string | null>(null);
  const [comparing, setComparing] = useState(false);
  const adapter = model.kind === 'adapter';
  // An adapter is compared with its base model by default; more models can be added in the dialog.
  const compared = adapter && model.base_model_id ? [model.id, model.base_model_id] : [model.id];

  const confirmDelete = () =>
    modal.confirm({
      title: t('models.delete.title', { name: modelLabel(model) }),
      content: t(adapter ? 'models.delete.adapterContent' : 'models.delete.baseContent'),
      okText: t('models.delete.confirm'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: async () => {
        setError(null);
        try {
          await deleteModel(model.id).unwrap();
          void message.success(t('models.delete.done', { name: modelLabel(model) }));
          onDeleted();
        } catch (caught) {
          // 409: a base model still has adapters; the API says which and what to do.
          setError(errorText(toApiError(caught), t));
        }
      },
    });

  return (
    <Flex vertical gap={12}>
      <Flex gap={8} wrap align="flex-start">
        {access.canTry && (
          <Button type="primary" icon={<ExperimentOutlined />} onClick={() => navigate(`/playground?model=${encodeURIComponent(model.id)}`)}>
            {t('models.try')}
          </Button>
        )}
        {access.canCompare && (
          <Button icon={<DiffOutlined />} onClick={() => setComparing(true)}>
            {t('evaluation.compare.button')}
          </Button>
        )}
        {adapter && access.canDownload && <DownloadControl model={model} />}
        {access.canDelete(model) && (
          <Button danger icon={<DeleteOutlined />} onClick={confirmDelete}>
            {t('models.delete.button')}
          </Button>
        )}
      </Flex>
      {error && <Alert type="error" showIcon message={error} closable onClose={() => setError(null)} />}
      <CompareModelsModal open={comparing} onClose={() => setComparing(false)} initial={compared} />
    </Flex>
  );
}

// Like the download, the recipe names the adapter's files on the server (models:write).
function ServingAccess({ id }: { id: string }) {
  return useModelAccess().canDownload ? <ServingRecipe id={id} /> : null;
}

/** Details of one model (opened by `?selected=<id>`): lineage or facts, and what can be done with it. */
export function ModelDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const { t } = useTranslation();
  const model = useGetModelQuery(id ?? '', { skip: id === null });
  const data = model.data?.id === id ? model.data : undefined;
  const title = data ? modelLabel(data) : t('models.drawer.loading');

  return (
    <Drawer
      open={id !== null}
      onClose={onClose}
      width={720}
      title={
        <Flex gap={8} align="center">
          {title}
          {data && <Tag>{t(`models.kind.${data.kind}`)}</Tag>}
        </Flex>
      }
      destroyOnHidden
    >
      {model.isError && !data && <Alert type="error" showIcon message={errorText(toApiError(model.error), t)} />}
      {!data && model.isFetching && <Skeleton active />}
      {data && (
        <Flex vertical gap={24}>
          <Actions model={data} onDeleted={onClose} />
          {data.kind === 'adapter' ? <AdapterDetails model={data} /> : <BaseModelDetails model={data} />}
          {data.kind === 'adapter' && <ServingAccess id={data.id} />}
        </Flex>
      )}
    </Drawer>
  );
}
