import { screen, waitFor, within } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { API, engineer } from '../../test/fixtures';
import { pirateDataset, previewPage, refusedUpload, supportDataset } from '../../test/registryFixtures';
import { renderApp, signedIn } from '../../test/render';
import { server } from '../../test/server';

const jsonl = (name: string) => new File(['{"messages": [{"role": "user"}]}\n'], name, { type: 'application/jsonl' });

function api(datasets: { data: unknown[]; count: number }) {
  server.use(
    http.get(`${API}/auth/me`, () => HttpResponse.json(engineer)),
    http.get(`${API}/datasets`, () => HttpResponse.json(datasets)),
  );
}

// The upload dialog's words in each language, to send a file the server refuses.
const UPLOAD = {
  en: { open: /Upload dataset/, dialog: 'Upload a dataset', file: 'Dataset file', submit: 'Upload and check', table: 'Problems in the file' },
  zh: { open: /上传数据集/, dialog: '上传数据集', file: '数据集文件', submit: '上传并检查', table: '文件中的问题' },
};

/** Uploads a file the server refuses (three bad lines); the dialog and its problem rows' cells. */
async function refuseBadFile(user: UserEvent, words: (typeof UPLOAD)['en']) {
  server.use(http.post(`${API}/datasets`, () => HttpResponse.json(refusedUpload, { status: 422 })));
  await user.click(await screen.findByRole('button', { name: words.open }));
  const dialog = await screen.findByRole('dialog', { name: words.dialog });
  await user.upload(within(dialog).getByLabelText(words.file), jsonl('bad-chats.jsonl'));
  await user.click(within(dialog).getByRole('button', { name: words.submit }));
  const table = await within(dialog).findByRole('table', { name: words.table });
  const rows = within(table).getAllByRole('row').slice(1); // after the header
  return { dialog, rows: rows.map((row) => within(row).getAllByRole('cell').map((cell) => cell.textContent)) };
}

describe('DatasetsPage', () => {
  it('tells a new user what to upload, and lists every bad line of a refused file', async () => {
    api({ data: [], count: 0 });
    const { user } = renderApp('/datasets', signedIn());

    expect(await screen.findByText('No datasets yet')).toBeInTheDocument();
    expect(screen.getByText(/OpenAI chat \(messages\), ShareGPT \(conversations\), Alpaca/)).toBeInTheDocument();
    const { dialog, rows } = await refuseBadFile(user, UPLOAD.en);
    expect(within(dialog).getByLabelText('Name')).toHaveValue('bad-chats'); // named after the file
    expect(rows).toEqual([
      ['line 2', 'messages', "turn 1 has no 'content'", 'each turn needs its text as a string'],
      ['line 3', '—', 'invalid JSON at column 1 (Expecting value)', 'each line must be one complete JSON object'],
      ['line 4', 'messages', "turn 1 has unknown role 'bogus'", "use role 'system', 'user' or 'assistant' (or 'tool' for a tool's result)"],
    ]);
    expect(within(dialog).getByText('The file was refused: 3 problems. Nothing was stored.')).toBeInTheDocument();
    // The list is the whole answer: the long summary message is not repeated above it.
    expect(within(dialog).queryByText(/dataset has 3 problem/)).toBeNull();
  });

  it('words each bad line, what is wrong and the fix, in Chinese', async () => {
    api({ data: [], count: 0 });
    const { user } = renderApp('/datasets', { ...signedIn(), preferences: { language: 'zh', theme: 'light' } });

    const { dialog, rows } = await refuseBadFile(user, UPLOAD.zh);
    expect(rows).toEqual([
      ['第 2 行', 'messages', "第 1 个轮次没有 'content'", '每个轮次的文本都必须是字符串'],
      ['第 3 行', '—', '第 1 列的 JSON 无效（缺少值）', '每行必须是一个完整的 JSON 对象'],
      ['第 4 行', 'messages', "第 1 个轮次的角色 'bogus' 无法识别", "角色请用 'system'、'user' 或 'assistant'（工具的结果用 'tool'）"],
    ]);
    expect(within(dialog).getByText('文件未通过检查：发现 3 个问题，未保存任何内容。')).toBeInTheDocument();
  });

  it('shows the upload progress, then the new dataset with its statistics and examples', async () => {
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let stored = false;
    server.use(
      http.get(`${API}/auth/me`, () => HttpResponse.json(engineer)),
      http.get(`${API}/datasets`, () => HttpResponse.json(stored ? { data: [supportDataset], count: 1 } : { data: [], count: 0 })),
      http.post(`${API}/datasets`, async () => {
        await held;
        stored = true;
        return HttpResponse.json(supportDataset, { status: 201 });
      }),
      http.get(`${API}/datasets/${supportDataset.id}`, () => HttpResponse.json(supportDataset)),
      http.get(`${API}/datasets/${supportDataset.id}/preview`, () => HttpResponse.json({ ...previewPage, count: 5400 })),
    );
    const { user, router } = renderApp('/datasets', signedIn());

    await user.click(await screen.findByRole('button', { name: /Upload dataset/ }));
    const dialog = await screen.findByRole('dialog', { name: 'Upload a dataset' });
    await user.upload(within(dialog).getByLabelText('Dataset file'), jsonl('support.jsonl'));
    await user.clear(within(dialog).getByLabelText('Name'));
    await user.type(within(dialog).getByLabelText('Name'), 'Support chats');
    await user.click(within(dialog).getByRole('button', { name: 'Upload and check' }));

    const bar = await within(dialog).findByRole('progressbar', { name: 'Upload progress' });
    expect(bar).toHaveAttribute('aria-valuenow', '0');
    expect(within(dialog).getByRole('status')).toHaveTextContent(/Uploading… 0 B of/);
    release();

    // (Under test every antd title has the id "test-id", so the dialog is found by its title's text.)
    const title = await screen.findByText('Support chats', { selector: '.ant-drawer-title' });
    const drawer = title.closest('[role="dialog"]') as HTMLElement;
    expect(await screen.findByText('Dataset “Support chats” stored: 5,400 examples')).toBeInTheDocument();
    expect(router.state.location.search).toBe(`?selected=${supportDataset.id}`);
    expect(within(drawer).getByText('1,250,000')).toBeInTheDocument(); // tokens
    expect(within(drawer).getByText('Median (p50)')).toBeInTheDocument();
    expect(within(drawer).getByText('English 78%')).toBeInTheDocument();
    expect(await within(drawer).findByText('How do I take care of a dog?')).toBeInTheDocument();
    expect(within(drawer).getAllByText('assistant')).toHaveLength(2);
    // The list behind the drawer now holds it.
    expect(await screen.findByRole('button', { name: 'Support chats' })).toBeInTheDocument();
  });

  it('filters by name and shows why a delete was refused', async () => {
    const names: (string | null)[] = [];
    server.use(
      http.get(`${API}/auth/me`, () => HttpResponse.json(engineer)),
      http.get(`${API}/datasets`, ({ request }) => {
        const name = new URL(request.url).searchParams.get('name');
        names.push(name);
        const data = name ? [supportDataset] : [pirateDataset, supportDataset];
        return HttpResponse.json({ data, count: data.length });
      }),
      http.delete(`${API}/datasets/${supportDataset.id}`, () =>
        HttpResponse.json(
          {
            error: {
              code: 'conflict',
              message: `dataset ${supportDataset.id} is used by unfinished job(s) 7; cancel them or wait until they finish`,
              param: 'id',
            },
          },
          { status: 409 },
        ),
      ),
    );
    const { user } = renderApp('/datasets', signedIn());

    const table = await screen.findByRole('table', { name: 'Datasets' });
    expect(await within(table).findByRole('button', { name: 'Pirate style (demo)' })).toBeInTheDocument();
    const pirateRow = within(table).getByRole('button', { name: 'Pirate style (demo)' }).closest('tr') as HTMLElement;
    expect(within(pirateRow).getByText('13,380')).toBeInTheDocument();
    expect(within(pirateRow).getByText('36.5 KB')).toBeInTheDocument();
    expect(within(pirateRow).getByText('user #1')).toBeInTheDocument();
    // Only your own datasets can be deleted (the demo one is the admin's).
    expect(within(pirateRow).queryByRole('button', { name: /Delete/ })).toBeNull();

    await user.type(screen.getByRole('searchbox', { name: 'Search datasets' }), 'Support{Enter}');
    await waitFor(() => expect(names.at(-1)).toBe('Support'));
    await waitFor(() => expect(within(table).queryByRole('button', { name: 'Pirate style (demo)' })).toBeNull());

    await user.click(within(table).getByRole('button', { name: 'Delete Support chats' }));
    const confirm = await screen.findByRole('tooltip');
    await user.click(within(confirm).getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText(/is used by unfinished job\(s\) 7; cancel them or wait/)).toBeInTheDocument();
  });

  it('warns about too little data and says what the plan does about it', async () => {
    const tiny = {
      ...pirateDataset,
      id: 'ds_tiny',
      name: 'Tiny',
      examples: 10,
      report: {
        ...pirateDataset.report,
        warnings: [{ code: 'little_data', message: 'only 10 examples', params: { examples: 10, answer_tokens: 5, min: 50 } }],
      },
    };
    server.use(
      http.get(`${API}/auth/me`, () => HttpResponse.json(engineer)),
      http.get(`${API}/datasets`, () => HttpResponse.json({ data: [tiny], count: 1 })),
      http.get(`${API}/datasets/ds_tiny`, () => HttpResponse.json(tiny)),
      http.get(`${API}/datasets/ds_tiny/preview`, () => HttpResponse.json(previewPage)),
    );
    renderApp('/datasets?selected=ds_tiny', signedIn());
    const drawer = await screen.findByRole('dialog');
    expect(await within(drawer).findByText('Only 10 examples, with answers of about 5 tokens: too little to teach much.')).toBeInTheDocument();
    expect(within(drawer).getByText(/a small batch and more epochs \(up to 10, at least 30 steps\)/)).toBeInTheDocument();
  });
});
