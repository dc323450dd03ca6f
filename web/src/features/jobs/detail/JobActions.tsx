import { AppstoreOutlined, RedoOutlined, StopOutlined } from '@ant-design/icons';
import { App, Button, Flex } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { errorText, toApiError } from '../../../api/errors';
import { useCancelJobMutation, useRetryJobMutation } from '../../../api/jobsApi';
import { useCurrentUser } from '../../auth/RequireAuth';
import { modelPath } from '../names';
import { canCancel, canRetry, type Job } from '../status';

/** The adapter a succeeded job registered, if any. */
export function adapterId(job: Job): string | null {
  const id = job.result?.adapter_model_id;
  return typeof id === 'string' && id !== '' ? id : null;
}

/** Cancel (confirmed first) and retry, shown only when the status and the user's rights allow. */
export function JobActions({ job }: { job: Job }) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const navigate = useNavigate();
  const me = useCurrentUser();
  const [cancelJob, cancelling] = useCancelJobMutation();
  const [retryJob, retrying] = useRetryJobMutation();
  const can = (permission: string) => me?.permissions.includes(permission) ?? false;
  const mayAct = can('jobs:manage') || (can('jobs:create') && job.owner_id === me?.id);
  const adapter = adapterId(job);

  const run = async (action: () => Promise<unknown>, done: string) => {
    try {
      await action();
      void message.success(done);
    } catch (error) {
      void message.error(errorText(toApiError(error), t));
    }
  };
  const confirmCancel = () =>
    modal.confirm({
      title: t('jobs.detail.cancelTitle'),
      content: t('jobs.detail.cancelText'),
      okText: t('jobs.detail.cancelOk'),
      okButtonProps: { danger: true },
      cancelText: t('jobs.detail.keepRunning'),
      onOk: () => run(() => cancelJob(job.id).unwrap(), t('jobs.detail.cancelRequested')),
    });

  return (
    <Flex gap={8} wrap role="group" aria-label={t('jobs.detail.actions')}>
      {adapter && (
        <Button type="primary" icon={<AppstoreOutlined />} onClick={() => navigate(modelPath(adapter))}>
          {t('jobs.detail.openAdapter')}
        </Button>
      )}
      {mayAct && canRetry(job.status) && (
        <Button
          icon={<RedoOutlined />}
          loading={retrying.isLoading}
          onClick={() => void run(() => retryJob(job.id).unwrap(), t('jobs.detail.retried'))}
        >
          {t('jobs.detail.retry')}
        </Button>
      )}
      {mayAct && canCancel(job.status) && (
        <Button danger icon={<StopOutlined />} loading={cancelling.isLoading} onClick={confirmCancel}>
          {t('jobs.detail.cancel')}
        </Button>
      )}
    </Flex>
  );
}
