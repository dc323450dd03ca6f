import { DiffOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, Button, Empty, Flex, Input, Tabs, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { errorText, toApiError } from '../../api/errors';
import { useListModelsQuery } from '../../api/modelsApi';
import { CompareModelsModal } from '../evaluation/CompareModelsModal';
import { AdaptersTable } from './AdaptersTable';
import { BaseModelsTable } from './BaseModelsTable';
import { ModelDrawer } from './ModelDrawer';
import { groupAdapters, type Model } from './modelInfo';
import { RegisterModelModal } from './RegisterModelModal';
import { ImportAdapterModal } from './ImportAdapterModal';
import { useModelAccess } from './useModelAccess';

// The API's largest page; adapters are grouped by name on this side, so they come in one page.
const LIMIT = 500;

function NoModels({ canRegister, onRegister }: { canRegister: boolean; onRegister: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <Empty
      style={{ marginTop: 64 }}
      image={Empty.PRESENTED_IMAGE_SIMPLE}
      description={
        <Flex vertical gap={4} align="center">
          <Typography.Text strong>{t('models.empty.title')}</Typography.Text>
          <Typography.Text type="secondary" style={{ maxWidth: 480 }}>
            {t(canRegister ? 'models.empty.admin' : 'models.empty.member')}
          </Typography.Text>
        </Flex>
      }
    >
      <Flex gap={8} justify="center" wrap>
        {canRegister && (
          <Button type="primary" onClick={onRegister}>
            {t('models.register.button')}
          </Button>
        )}
        <Button onClick={() => navigate('/jobs/new')}>{t('models.empty.newJob')}</Button>
      </Flex>
    </Empty>
  );
}

/** Base models and adapters (grouped by name, versions v1, v2, ...); `?selected=<id>` opens one. */
export function ModelsPage() {
  const { t } = useTranslation();
  const access = useModelAccess();
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState('');
  const [registering, setRegistering] = useState(false);
  const [importing, setImporting] = useState(false);
  const [comparing, setComparing] = useState(false);
  const name = search.trim() || undefined;
  const adapters = useListModelsQuery({ kind: 'adapter', limit: LIMIT, name });
  const allBases = useListModelsQuery({ kind: 'base', limit: LIMIT });
  const bases = useListModelsQuery({ kind: 'base', limit: LIMIT, name });

  const groups = useMemo(() => groupAdapters(adapters.data?.data ?? []), [adapters.data]);
  const baseById = useMemo(() => new Map((allBases.data?.data ?? []).map((m) => [m.id, m])), [allBases.data]);
  const tab = params.get('tab') === 'base' ? 'base' : 'adapters';
  const selected = params.get('selected');

  const setParam = (key: string, value: string | null, replace = false) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value === null) next.delete(key);
        else next.set(key, value);
        return next;
      },
      { replace },
    );
  const open = (id: string) => setParam('selected', id);
  const registered = (model: Model) => {
    setRegistering(false);
    setParams({ tab: 'base', selected: model.id });
  };

  const loaded = adapters.data && allBases.data;
  const nothing = loaded && !name && adapters.data?.count === 0 && allBases.data?.count === 0;
  const error = adapters.error ?? bases.error;
  const truncated = (result: typeof adapters) => (result.data && result.data.count > result.data.data.length ? result.data.count : null);
  const hidden = truncated(tab === 'base' ? bases : adapters);

  return (
    <>
      <Flex justify="space-between" align="center" gap={16} wrap style={{ marginBottom: 16 }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('models.title')}
        </Typography.Title>
        <Flex gap={8} wrap>
          <Input.Search
            allowClear
            aria-label={t('models.search')}
            placeholder={t('models.search')}
            onSearch={setSearch}
            style={{ width: 260 }}
          />
          {access.canDownload && (
            <Button icon={<UploadOutlined />} onClick={() => setImporting(true)}>
              {t('models.import.button')}
            </Button>
          )}
          {access.canCompare && (
            <Button icon={<DiffOutlined />} onClick={() => setComparing(true)}>
              {t('evaluation.compare.button')}
            </Button>
          )}
          {access.canRegister && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setRegistering(true)}>
              {t('models.register.button')}
            </Button>
          )}
        </Flex>
      </Flex>
      {error && <Alert type="error" showIcon message={errorText(toApiError(error), t)} style={{ marginBottom: 16 }} />}
      {hidden !== null && <Alert type="info" showIcon message={t('models.truncated', { shown: LIMIT, count: hidden })} style={{ marginBottom: 16 }} />}
      {nothing ? (
        <NoModels canRegister={access.canRegister} onRegister={() => setRegistering(true)} />
      ) : (
        <Tabs
          activeKey={tab}
          onChange={(key) => setParam('tab', key, true)}
          items={[
            {
              key: 'adapters',
              label: t('models.tabs.adapters'),
              children: <AdaptersTable groups={groups} baseModels={baseById} loading={adapters.isFetching} onOpen={open} />,
            },
            {
              key: 'base',
              label: t('models.tabs.base'),
              children: <BaseModelsTable models={bases.data?.data ?? []} loading={bases.isFetching} onOpen={open} />,
            },
          ]}
        />
      )}
      <ModelDrawer id={selected} onClose={() => setParam('selected', null)} />
      <CompareModelsModal open={comparing} onClose={() => setComparing(false)} />
      <RegisterModelModal open={registering} onClose={() => setRegistering(false)} onRegistered={registered} />
      <ImportAdapterModal
        open={importing}
        bases={allBases.data?.data ?? []}
        onClose={() => setImporting(false)}
        onImported={(model) => setParams({ tab: 'adapters', selected: model.id })}
      />
    </>
  );
}
