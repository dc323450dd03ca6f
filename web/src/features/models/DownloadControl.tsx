import { formatBytes } from '../../components/format';
import { DownloadOutlined } from '@ant-design/icons';
import { Alert, Button, Flex, Progress, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useStore } from 'react-redux';
import { errorText, toApiError } from '../../api/errors';
import { downloadModel, type DownloadProgress } from './download';
import { isAbort } from './fetchError';
import { type Model } from './modelInfo';

/** "Download" for an adapter, with a progress bar and a Cancel button while the zip arrives. */
export function DownloadControl({ model }: { model: Model }) {
  const { t } = useTranslation();
  const store = useStore();
  const [progress, setProgress] = useState<DownloadProgress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const controller = useRef<AbortController | null>(null);
  useEffect(() => () => controller.current?.abort(), []);

  const start = async () => {
    controller.current = new AbortController();
    setError(null);
    setProgress({ received: 0, total: null });
    try {
      await downloadModel(store, model, setProgress, controller.current.signal);
    } catch (caught) {
      if (!isAbort(caught)) setError(errorText(toApiError(caught), t));
    } finally {
      controller.current = null;
      setProgress(null);
    }
  };

  const percent = progress?.total ? Math.min(100, Math.round((progress.received / progress.total) * 100)) : null;
  return (
    <Flex vertical gap={8}>
      {progress ? (
        <Flex align="center" gap={12}>
          {percent !== null ? (
            <Progress percent={percent} size="small" style={{ flex: 1, margin: 0 }} aria-label={t('models.download.progress')} />
          ) : (
            <Typography.Text role="status" style={{ flex: 1 }}>
              {t('models.download.received', { size: formatBytes(progress.received) })}
            </Typography.Text>
          )}
          <Button size="small" onClick={() => controller.current?.abort()}>
            {t('models.download.cancel')}
          </Button>
        </Flex>
      ) : (
        <Button icon={<DownloadOutlined />} onClick={() => void start()}>
          {t('models.download.button')}
        </Button>
      )}
      {error && <Alert type="error" showIcon message={error} closable onClose={() => setError(null)} />}
    </Flex>
  );
}
