import { formatBytes } from '../../components/format';
import { DeleteOutlined, DownloadOutlined, ExportOutlined } from '@ant-design/icons';
import { Alert, App, Button, Flex, List, Progress, Select, Space, Tag, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useStore } from 'react-redux';
import { Link } from 'react-router';
import { errorText, toApiError } from '../../api/errors';
import { useCreateExportMutation, useDeleteExportMutation, useListExportsQuery } from '../../api/exportsApi';
import { useGetJobQuery } from '../../api/jobsApi';
import type { Schemas } from '../../api/types';
import { useCurrentUser } from '../auth/RequireAuth';
import { downloadPath, type DownloadProgress } from './download';
import { isAbort } from './fetchError';
import { type Model } from './modelInfo';

type Format = 'merged' | 'gguf' | 'gguf_lora';
type Quantization = 'f16' | 'q8_0' | 'q4_k_m';
type Export = Schemas['ExportPublic'];

// The quantizations each format takes (the server checks the same), default first.
const CHOICES: Record<Format, (Quantization | null)[]> = {
  gguf: ['q8_0', 'q4_k_m', 'f16'],
  gguf_lora: ['f16', 'q8_0'],
  merged: [null, 'f16'],
};
const ENDED = new Set(['succeeded', 'failed', 'cancelled']);

/** Follows one export job until it ends: status, stage and a progress bar. */
function ExportJob({ jobId, onEnded }: { jobId: number; onEnded: () => void }) {
  const { t } = useTranslation();
  const job = useGetJobQuery(jobId, { pollingInterval: 2000 });
  const status = job.data?.status;
  const ended = status !== undefined && ENDED.has(status);
  useEffect(() => {
    if (ended) onEnded();
  }, [ended, onEnded]);
  if (!job.data) return null;
  const fraction = job.data.progress?.fraction ?? 0;
  const stage = job.data.progress?.stage;
  return (
    <Flex vertical gap={4}>
      <Typography.Text role="status">
        <Link to={`/jobs/${jobId}`}>{job.data.name}</Link>: {t(`models.exports.status.${job.data.status}`, { defaultValue: job.data.status })}
        {stage && !ended ? ` · ${t(`models.exports.stage.${stage}`, { defaultValue: stage })}` : ''}
      </Typography.Text>
      {!ended && <Progress percent={Math.round(fraction * 100)} size="small" aria-label={t('models.exports.progress')} />}
      {job.data.error && <Alert type="error" showIcon message={typeof job.data.error.message === 'string' ? job.data.error.message : ''} />}
    </Flex>
  );
}

function ExportForm({ model, onQueued }: { model: Model; onQueued: (jobId: number) => void }) {
  const { t } = useTranslation();
  const [format, setFormat] = useState<Format>('gguf');
  const [quantization, setQuantization] = useState<Quantization | null>('q8_0');
  const [createExport, state] = useCreateExportMutation();
  const [error, setError] = useState<string | null>(null);
  const choose = (next: Format) => {
    setFormat(next);
    setQuantization(CHOICES[next][0] ?? null);
  };
  const submit = async () => {
    setError(null);
    try {
      const job = await createExport({ modelId: model.id, body: { format, quantization } }).unwrap();
      onQueued(job.id);
    } catch (caught) {
      setError(errorText(toApiError(caught), t));
    }
  };
  return (
    <Flex vertical gap={8}>
      <Space wrap>
        <Select<Format>
          aria-label={t('models.exports.format')}
          value={format}
          onChange={choose}
          style={{ width: 260 }}
          options={(Object.keys(CHOICES) as Format[]).map((value) => ({ value, label: t(`models.exports.formats.${value}`) }))}
        />
        <Select<string>
          aria-label={t('models.exports.quantization')}
          value={quantization ?? 'none'}
          onChange={(value) => setQuantization(value === 'none' ? null : (value as Quantization))}
          style={{ width: 160 }}
          options={CHOICES[format].map((value) => ({ value: value ?? 'none', label: value ?? t('models.exports.basePrecision') }))}
        />
        <Button type="primary" icon={<ExportOutlined />} loading={state.isLoading} onClick={() => void submit()}>
          {t('models.exports.button')}
        </Button>
      </Space>
      {error && <Alert type="error" showIcon message={error} closable onClose={() => setError(null)} />}
    </Flex>
  );
}

function ExportItem({ item, modelId }: { item: Export; modelId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const store = useStore();
  const me = useCurrentUser();
  const [deleteExport] = useDeleteExportMutation();
  const [progress, setProgress] = useState<DownloadProgress | null>(null);
  const controller = useRef<AbortController | null>(null);
  useEffect(() => () => controller.current?.abort(), []);
  const download = async (name: string) => {
    controller.current = new AbortController();
    const path = `/exports/${encodeURIComponent(item.id)}/download?file=${encodeURIComponent(name)}`;
    try {
      await downloadPath(store, path, name.split('/').pop() ?? name, setProgress, controller.current.signal);
    } catch (caught) {
      if (!isAbort(caught)) void message.error(errorText(toApiError(caught), t));
    } finally {
      setProgress(null);
    }
  };
  const check = item.verification as { equal_prefix?: number; tokens?: number } | null;
  const label = item.quantization ? `${item.format} ${item.quantization}` : item.format;
  return (
    <List.Item
      actions={[
        <Button key="get" size="small" icon={<DownloadOutlined />} loading={progress !== null} onClick={() => void download(item.primary_file)}>
          {item.primary_file} ({formatBytes(item.size_bytes)})
        </Button>,
        ...item.files
          .filter((file) => file.name === 'Modelfile')
          .map((file) => (
            <Button key="modelfile" size="small" onClick={() => void download(file.name)}>
              Modelfile
            </Button>
          )),
        ...(me?.role === 'admin' || me?.id === item.owner_id
          ? [<Button key="del" size="small" danger icon={<DeleteOutlined />} aria-label={t('models.exports.delete')} onClick={() => void deleteExport({ id: item.id, modelId })} />]
          : []),
      ]}
    >
      <Space wrap>
        <Tag>{label}</Tag>
        {check?.tokens ? <Typography.Text type="secondary">{t('models.exports.verified', { equal: check.equal_prefix, total: check.tokens })}</Typography.Text> : null}
        <Typography.Text code copyable={{ text: item.sha256 }}>{item.sha256.slice(0, 12)}</Typography.Text>
      </Space>
    </List.Item>
  );
}

/** Export an adapter (merged, GGUF, GGUF LoRA), follow the job, and download what it made. */
export function ExportsSection({ model, canExport }: { model: Model; canExport: boolean }) {
  const { t } = useTranslation();
  const exports = useListExportsQuery(model.id);
  const [jobId, setJobId] = useState<number | null>(null);
  const { refetch } = exports;
  const ended = useCallback(() => void refetch(), [refetch]);
  return (
    <Flex vertical gap={12}>
      {canExport && <ExportForm model={model} onQueued={setJobId} />}
      {jobId !== null && <ExportJob jobId={jobId} onEnded={ended} />}
      <List
        size="small"
        locale={{ emptyText: <Typography.Text type="secondary">{t('models.exports.empty')}</Typography.Text> }}
        dataSource={exports.data?.data ?? []}
        renderItem={(item) => <ExportItem item={item} modelId={model.id} />}
      />
      <Typography.Text type="secondary">{t('models.exports.ollama')}</Typography.Text>
    </Flex>
  );
}
