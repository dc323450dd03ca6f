import { formatBytes } from '../../components/format';
import { InboxOutlined } from '@ant-design/icons';
import { Alert, App, Button, Flex, Form, Input, Progress, Radio, Select, Typography, Upload, type UploadFile } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useStore } from 'react-redux';
import { api } from '../../api/api';
import { useAppDispatch } from '../../app/hooks';
import { useApiErrors } from '../../forms/apiErrors';
import { formatCount } from './format';
import { LineErrors } from './LineErrors';
import { lineProblems, type LineProblem } from './lineProblems';
import { isAbort, uploadDataset, type Dataset, type Visibility } from './uploadDataset';

interface Values {
  name: string;
  visibility: Visibility;
  format: string;
  file: UploadFile[];
}

const FIELDS = ['name', 'visibility', 'format', 'file'];
export const FORMATS = ['openai', 'sharegpt', 'alpaca', 'text'] as const;
export const SUFFIXES = ['.jsonl', '.json', '.csv', '.parquet', '.txt', '.md', '.markdown', '.zip'];
const AUTO = 'auto';

const suffixOf = (name: string) => {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot).toLowerCase();
};
const stem = (name: string) => (name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : name);

interface Props {
  /** The stored dataset, after the server accepted every line. */
  onUploaded: (dataset: Dataset) => void;
  /** True while a file is on its way, so a dialog around the form can hold off closing. */
  onBusyChange?: (busy: boolean) => void;
}

/**
 * Upload form: name, visibility, optional format, and a file (picked or dropped). Shows real
 * upload progress, then either the new dataset or every bad line the server found.
 */
export function DatasetUpload({ onUploaded, onBusyChange }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const store = useStore();
  const dispatch = useAppDispatch();
  const [form] = Form.useForm<Values>();
  const { formError, show, clear } = useApiErrors(form, FIELDS);
  const [progress, setProgress] = useState<{ loaded: number; total: number } | null>(null);
  const [problems, setProblems] = useState<LineProblem[]>([]);
  const controller = useRef<AbortController | null>(null);

  useEffect(() => () => controller.current?.abort(), []); // leaving the page cancels the upload
  useEffect(() => onBusyChange?.(progress !== null), [progress, onBusyChange]);

  // The name follows the chosen file until the user types one of their own.
  const autoName = useRef('');
  const onValuesChange = (changed: Partial<Values>) => {
    const file = changed.file?.[0];
    const name = (form.getFieldValue('name') as string | undefined) ?? '';
    if (file && (!name || name === autoName.current)) {
      autoName.current = stem(file.name);
      form.setFieldValue('name', autoName.current);
    }
    if (changed.file) setProblems([]);
  };

  const onFinish = async (values: Values) => {
    const file = values.file[0]?.originFileObj;
    if (!file) return;
    clear();
    setProblems([]);
    const abort = new AbortController();
    controller.current = abort;
    setProgress({ loaded: 0, total: file.size });
    try {
      const request = {
        file,
        name: values.name.trim(),
        visibility: values.visibility,
        format: values.format === AUTO ? null : values.format,
      };
      const dataset = await uploadDataset(store, request, {
        signal: abort.signal,
        onProgress: (loaded, total) => setProgress({ loaded, total }),
      });
      dispatch(api.util.invalidateTags(['Dataset', 'Dashboard']));
      void message.success(t('datasets.upload.done', { name: dataset.name, count: dataset.examples, examples: formatCount(dataset.examples) }));
      form.resetFields();
      onUploaded(dataset);
    } catch (error) {
      if (isAbort(error)) return;
      const lines = lineProblems(error);
      if (lines.length > 0) setProblems(lines);
      else show(error);
    } finally {
      if (controller.current === abort) controller.current = null;
      setProgress(null);
    }
  };

  const checkSuffix = (_: unknown, files: UploadFile[] | undefined): Promise<void> => {
    const file = files?.[0];
    if (!file) return Promise.reject(new Error(t('datasets.upload.fileRequired')));
    if (!SUFFIXES.includes(suffixOf(file.name))) {
      const types = SUFFIXES.join(', ');
      return Promise.reject(new Error(t('datasets.upload.badType', { name: file.name, types })));
    }
    return Promise.resolve();
  };

  const percent = progress && progress.total > 0 ? Math.floor((progress.loaded / progress.total) * 100) : 0;
  const busy = progress !== null;

  return (
    <Form<Values>
      form={form}
      name="dataset-upload"
      layout="vertical"
      onFinish={onFinish}
      onValuesChange={onValuesChange}
      initialValues={{ visibility: 'private', format: AUTO, file: [] }}
      disabled={busy}
    >
      {formError && <Alert type="error" showIcon message={formError} style={{ marginBottom: 16 }} />}
      <Form.Item
        name="file"
        label={t('datasets.upload.file')}
        valuePropName="fileList"
        getValueFromEvent={(event: { fileList: UploadFile[] }) => event.fileList.slice(-1)}
        rules={[{ validator: checkSuffix }]}
        extra={t('datasets.upload.fileHelp', { types: SUFFIXES.join(', ') })}
      >
        <Upload.Dragger aria-label={t('datasets.upload.file')} beforeUpload={() => false} maxCount={1}>
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p className="ant-upload-text">{t('datasets.upload.drop')}</p>
          <p className="ant-upload-hint">{t('datasets.upload.dropHint')}</p>
        </Upload.Dragger>
      </Form.Item>
      <Flex gap={16} wrap>
        <Form.Item
          name="name"
          label={t('datasets.upload.name')}
          style={{ flex: '2 1 240px' }}
          rules={[{ required: true, whitespace: true, message: t('datasets.upload.nameRequired') }, { max: 200 }]}
        >
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="format" label={t('datasets.upload.format')} style={{ flex: '1 1 200px' }} tooltip={t('datasets.upload.formatHelp')}>
          <Select
            options={[AUTO, ...FORMATS].map((f) => ({ value: f, label: t(`datasets.formats.${f}`) }))}
          />
        </Form.Item>
      </Flex>
      <Form.Item name="visibility" label={t('datasets.upload.visibility')}>
        <Radio.Group
          options={[
            { value: 'private', label: t('datasets.visibility.private') },
            { value: 'shared', label: t('datasets.visibility.shared') },
          ]}
        />
      </Form.Item>
      {progress && (
        <Flex vertical gap={4} style={{ marginBottom: 16 }}>
          <Progress percent={percent} status="active" aria-label={t('datasets.upload.progress')} />
          <Flex justify="space-between" align="center" gap={8}>
            <Typography.Text type="secondary" role="status">
              {percent < 100
                ? t('datasets.upload.sending', { sent: formatBytes(progress.loaded), total: formatBytes(progress.total) })
                : t('datasets.upload.checking')}
            </Typography.Text>
            {/* The form is disabled while busy; an explicit `disabled={false}` keeps this one usable. */}
            <Button disabled={false} onClick={() => controller.current?.abort()}>
              {t('datasets.upload.cancel')}
            </Button>
          </Flex>
        </Flex>
      )}
      {problems.length > 0 && (
        <div style={{ marginBottom: 16 }}>
          <LineErrors problems={problems} />
        </div>
      )}
      <Button type="primary" htmlType="submit" loading={busy}>
        {t('datasets.upload.submit')}
      </Button>
    </Form>
  );
}
