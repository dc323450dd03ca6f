import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { API } from '../../test/fixtures';
import { renderApp, signedIn } from '../../test/render';
import { server } from '../../test/server';
import type { Job } from './status';
import { adminMe, userOf, baseModel, dataset, engineerMe, makeJob } from './testData';

const adminUser = userOf(adminMe);
const running = makeJob({ id: 3, name: 'pirate-running', progress: { step: 30, total_steps: 120, fraction: 0.25, epoch: 0.25, eta_s: 300 } });
const failed = makeJob({ id: 2, name: 'pirate-failed', status: 'failed', owner_id: 5, finished_at: '2025-03-01T11:00:00Z' });
const done = makeJob({ id: 1, name: 'pirate-done', status: 'succeeded', finished_at: '2025-03-01T12:00:00Z' });

/** GET /jobs as the server pages and filters it; the requests' query strings are kept. */
function serveJobs(me: typeof adminMe, rows: () => Job[]) {
  const requests: URLSearchParams[] = [];
  server.use(
    http.get(`${API}/auth/me`, () => HttpResponse.json(me)),
    http.get(`${API}/users`, () => HttpResponse.json({ data: [adminUser, { ...adminUser, id: 5, username: 'erin', role: 'engineer' }], count: 2 })),
    http.get(`${API}/models/mdl_base`, () => HttpResponse.json(baseModel)),
    http.get(`${API}/datasets/ds_pirate`, () => HttpResponse.json(dataset)),
    http.get(`${API}/jobs`, ({ request }) => {
      const params = new URL(request.url).searchParams;
      requests.push(params);
      const status = params.get('status');
      const name = params.get('name')?.toLowerCase() ?? '';
      const matching = rows().filter(
        (job) => (status === null || job.status === status) && job.name.toLowerCase().includes(name),
      );
      const offset = Number(params.get('offset') ?? 0);
      const limit = Number(params.get('limit') ?? 50);
      return HttpResponse.json({ data: matching.slice(offset, offset + limit), count: matching.length });
    }),
  );
  return requests;
}

describe('JobsPage', () => {
  it('lists jobs with status tags, progress, names and owners, and filters by status', async () => {
    const requests = serveJobs(adminMe, () => [running, failed, done]);
    const { user } = renderApp('/jobs', signedIn());

    const table = await screen.findByRole('table', { name: 'Jobs' });
    const row = (name: string) => within(table).getByText(name).closest('tr') as HTMLElement;
    expect(await within(table).findByText('pirate-running')).toBeInTheDocument();
    expect(within(row('pirate-running')).getByText('Running')).toBeInTheDocument();
    expect(within(row('pirate-failed')).getByText('Failed')).toBeInTheDocument();
    expect(within(row('pirate-done')).getByText('Succeeded')).toBeInTheDocument();
    const bar = within(row('pirate-running')).getByRole('progressbar', { name: 'Progress of pirate-running' });
    expect(bar).toHaveAttribute('aria-valuenow', '25');
    expect(within(row('pirate-running')).getByText('step 30 of 120')).toBeInTheDocument();
    expect(await within(row('pirate-running')).findByText('Qwen2.5-0.5B-Instruct v1')).toBeInTheDocument();
    expect(await within(row('pirate-failed')).findByText('erin')).toBeInTheDocument(); // another user's job
    expect(within(row('pirate-done')).getByText('admin (you)')).toBeInTheDocument();
    expect(within(row('pirate-failed')).getByText('1 / 3')).toBeInTheDocument();

    await user.click(screen.getByRole('combobox', { name: 'Status' }));
    await user.click(await screen.findByTitle('Failed'));
    // A new filter is a fresh table (back to page 1).
    await waitFor(() => expect(within(screen.getByRole('table', { name: 'Jobs' })).queryByText('pirate-running')).toBeNull());
    expect(within(screen.getByRole('table', { name: 'Jobs' })).getByText('pirate-failed')).toBeInTheDocument();
    expect(requests.at(-1)?.get('status')).toBe('failed');
    expect(requests.at(-1)?.get('offset')).toBe('0');
  });

  it('says when no job has the chosen status and offers to show them all', async () => {
    serveJobs(adminMe, () => [done]);
    const { user, router } = renderApp('/jobs?status=cancelled', signedIn());

    expect(await screen.findByText('No jobs are Cancelled')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Show all jobs' }));
    expect(await screen.findByText('pirate-done')).toBeInTheDocument();
    expect(router.state.location.search).toBe('');
  });

  it('searches by name, keeps the search in the URL, and says when nothing matches', async () => {
    const requests = serveJobs(adminMe, () => [running, failed, done]);
    const { user, router } = renderApp('/jobs', signedIn());

    const search = await screen.findByRole('searchbox', { name: 'Search jobs by name' });
    await user.type(search, 'DONE{Enter}');
    await waitFor(() => expect(within(screen.getByRole('table', { name: 'Jobs' })).queryByText('pirate-running')).toBeNull());
    expect(within(screen.getByRole('table', { name: 'Jobs' })).getByText('pirate-done')).toBeInTheDocument();
    expect(requests.at(-1)?.get('name')).toBe('DONE');
    expect(router.state.location.search).toBe('?q=DONE');

    const again = screen.getByRole('searchbox', { name: 'Search jobs by name' }); // remounted
    expect(again).toHaveValue('DONE');
    await user.clear(again);
    await user.type(again, 'navy{Enter}');
    expect(await screen.findByText('No job names contain “navy”')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Show all jobs' }));
    expect(await screen.findByText('pirate-running')).toBeInTheDocument();
    expect(router.state.location.search).toBe('');
    expect(screen.getByRole('searchbox', { name: 'Search jobs by name' })).toHaveValue('');
  });

  it('points a new user to their first job', async () => {
    serveJobs(engineerMe, () => []);
    // The wizard behind the button lists what it can start from: nothing yet.
    server.use(
      http.get(`${API}/models`, () => HttpResponse.json({ data: [], count: 0 })),
      http.get(`${API}/datasets`, () => HttpResponse.json({ data: [], count: 0 })),
    );
    const { user, router } = renderApp('/jobs', signedIn());

    expect(await screen.findByText('No jobs yet')).toBeInTheDocument();
    const table = screen.getByRole('table', { name: 'Jobs' });
    await user.click(within(table).getByRole('button', { name: 'New job' }));
    expect(router.state.location.pathname).toBe('/jobs/new');
  });

  it('refreshes while a job runs, hides the owner from engineers, and opens a job on row click', async () => {
    let rows: Job[] = [makeJob({ id: 3, name: 'pirate-running', owner_id: engineerMe.id })];
    serveJobs(engineerMe, () => rows);
    server.use(
      http.get(`${API}/jobs/3`, () => HttpResponse.json(rows[0])),
      http.get(`${API}/jobs/3/metrics`, () => HttpResponse.json({ data: [] })),
      http.get(`${API}/jobs/3/events`, () => HttpResponse.json({ data: [] })),
      http.get(`${API}/jobs/3/checkpoints`, () => HttpResponse.json({ data: [] })),
      http.get(`${API}/jobs/3/stream`, () => new HttpResponse('event: end\ndata: {"status": "succeeded"}\n\n', { headers: { 'Content-Type': 'text/event-stream' } })),
    );
    const { user, router } = renderApp('/jobs', signedIn());

    const table = await screen.findByRole('table', { name: 'Jobs' });
    expect(await within(table).findByText('Starting')).toBeInTheDocument(); // running, no step yet
    expect(within(table).queryByRole('columnheader', { name: 'Owner' })).toBeNull();
    expect(screen.getByText('Updating every few seconds while jobs run')).toBeInTheDocument();

    rows = [makeJob({ id: 3, name: 'pirate-running', owner_id: engineerMe.id, status: 'succeeded', finished_at: '2025-03-01T10:09:00Z' })];
    expect(await within(table).findByText('Succeeded', {}, { timeout: 6000 })).toBeInTheDocument();
    expect(screen.queryByText('Updating every few seconds while jobs run')).toBeNull();

    await user.click(within(table).getByText('Succeeded'));
    expect(router.state.location.pathname).toBe('/jobs/3');
    expect(await screen.findByRole('heading', { level: 3, name: 'pirate-running' })).toBeInTheDocument();
  });
});
