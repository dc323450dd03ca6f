import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { API } from '../../test/fixtures';
import { renderApp, signedIn } from '../../test/render';
import { server } from '../../test/server';
import { adminMe, baseModel, makeJob } from '../jobs/testData';
import type { Dashboard } from './dashboardApi';

const NO_JOBS = { validating_files: 0, queued: 0, running: 0, cancelling: 0, succeeded: 0, failed: 0, cancelled: 0 };

// HardwareFacts as a worker announces them (easytune.training.facts).
const GPU_BOX = {
  device: 'cuda',
  gpu_count: 2,
  gpu_memory_bytes: 80 * 2 ** 30,
  gpu_name: 'NVIDIA H100',
  bf16_supported: true,
  host_memory_bytes: 128 * 2 ** 30,
  cpu_count: 16,
  bitsandbytes: true,
  flash_attention: false,
};

const worker = (name: string, busy: number, online: boolean, hardware: Record<string, unknown> | null = GPU_BOX): Dashboard['workers'][number] => ({
  name,
  hostname: name.split(':')[0] ?? name,
  executor: 'local',
  slots: 2,
  busy,
  online,
  started_at: '2025-03-01T09:00:00Z',
  last_seen_at: '2025-03-01T10:00:00Z',
  hardware,
});

function serveDashboard(body: Dashboard) {
  server.use(
    http.get(`${API}/auth/me`, () => HttpResponse.json(adminMe)),
    http.get(`${API}/dashboard`, () => HttpResponse.json(body)),
  );
}

describe('DashboardPage', () => {
  it('welcomes a new install with the steps to a first job', async () => {
    serveDashboard({
      jobs_by_status: NO_JOBS,
      datasets: 0,
      base_models: 1,
      adapters: 0,
      running_jobs: [],
      recent_adapters: [],
      workers: [],
    });
    // The wizard behind the button lists what it can start from: nothing yet.
    server.use(
      http.get(`${API}/models`, () => HttpResponse.json({ data: [], count: 0 })),
      http.get(`${API}/datasets`, () => HttpResponse.json({ data: [], count: 0 })),
    );
    const { user, router } = renderApp('/', signedIn());

    expect(await screen.findByText('Welcome to EasyTune')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Upload a dataset' })).toHaveAttribute('href', '/datasets');
    expect(within(screen.getByRole('table', { name: 'Workers' })).getByText('easytune worker')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'New job' }));
    expect(router.state.location.pathname).toBe('/jobs/new');
  });

  it('shows the counts, running jobs with progress, recent adapters and the workers', async () => {
    const running = makeJob({
      id: 12,
      name: 'support-bot',
      progress: { step: 45, total_steps: 90, epoch: 1.5, fraction: 0.5, eta_s: 600 },
    });
    const adapter = { ...baseModel, id: 'mdl_adapter', kind: 'adapter' as const, name: 'support-bot', version: 2, job_id: 9, base_model_id: 'mdl_base' };
    serveDashboard({
      jobs_by_status: { ...NO_JOBS, running: 1, cancelling: 1, queued: 3, succeeded: 4, failed: 1 },
      datasets: 2,
      base_models: 1,
      adapters: 4,
      running_jobs: [running],
      recent_adapters: [adapter],
      workers: [worker('gpu-1:4242', 1, true), worker('gpu-2:77', 0, false, null)],
    });
    renderApp('/', signedIn());

    const counts = await screen.findByRole('region', { name: 'At a glance' });
    expect(within(counts).getByRole('link', { name: 'Running 2' })).toHaveAttribute('href', '/jobs?status=running');
    expect(within(counts).getByRole('link', { name: 'Queued 3' })).toBeInTheDocument();
    expect(within(counts).getByRole('link', { name: 'Failed 1' })).toHaveAttribute('href', '/jobs?status=failed');
    expect(within(counts).getByRole('link', { name: 'Adapters 4' })).toHaveAttribute('href', '/models');
    expect(screen.queryByText('Welcome to EasyTune')).toBeNull();

    const runningJobs = screen.getByRole('region', { name: 'Running jobs' });
    expect(within(runningJobs).getByRole('link', { name: 'support-bot' })).toHaveAttribute('href', '/jobs/12');
    expect(within(runningJobs).getByRole('progressbar', { name: 'Progress of support-bot' })).toHaveAttribute('aria-valuenow', '50');
    expect(within(runningJobs).getByText('step 45 of 90 · about 10 min left at the recent pace')).toBeInTheDocument();

    const adapters = screen.getByRole('region', { name: 'Recent adapters' });
    expect(within(adapters).getByRole('link', { name: 'support-bot v2' })).toHaveAttribute('href', '/models?selected=mdl_adapter');

    const workers = screen.getByRole('table', { name: 'Workers' });
    const row = (name: string) => within(workers).getByText(name).closest('tr') as HTMLElement;
    expect(within(row('gpu-1:4242')).getByText('1 of 2')).toBeInTheDocument();
    expect(within(row('gpu-1:4242')).getByText('Online')).toBeInTheDocument();
    expect(within(row('gpu-1:4242')).getByText('2× NVIDIA H100 (80 GB) · 16 CPU cores · 128 GB memory')).toBeInTheDocument();
    expect(within(row('gpu-2:77')).getByText('Offline')).toBeInTheDocument();
    expect(within(row('gpu-2:77')).getByText('Not reported yet')).toBeInTheDocument();
  });
});
