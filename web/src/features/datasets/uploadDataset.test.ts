import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { makeStore } from '../../app/store';
import { API, tokens } from '../../test/fixtures';
import { pirateDataset, refusedUpload } from '../../test/registryFixtures';
import { signedIn } from '../../test/render';
import { server } from '../../test/server';
import { lineProblems } from './lineProblems';
import { uploadDataset, uploadForm } from './uploadDataset';

const file = () => new File(['{"messages": []}\n'], 'pirate.jsonl', { type: 'application/jsonl' });

describe('uploadDataset', () => {
  it('sends the form with the token, reports progress, and renews the token once on a 401', async () => {
    const seen: { auth: string | null; name: unknown; visibility: unknown; format: unknown; file: boolean }[] = [];
    server.use(
      http.post(`${API}/datasets`, async ({ request }) => {
        const form = await request.formData();
        seen.push({
          auth: request.headers.get('Authorization'),
          name: form.get('name'),
          visibility: form.get('visibility'),
          format: form.get('format'),
          // (jsdom's File loses its name and bytes on the way into Node's Request; see below.)
          file: form.get('file') !== null,
        });
        if (request.headers.get('Authorization') === 'Bearer access-1') {
          return HttpResponse.json({ error: { code: 'unauthorized', message: 'token expired', param: null } }, { status: 401 });
        }
        return HttpResponse.json(pirateDataset, { status: 201 });
      }),
      http.post(`${API}/auth/refresh`, () => HttpResponse.json(tokens(2))),
    );
    const store = makeStore(signedIn());
    const progress: [number, number][] = [];

    const dataset = await uploadDataset(
      store,
      { file: file(), name: 'Pirates', visibility: 'shared', format: null },
      { onProgress: (loaded, total) => progress.push([loaded, total]) },
    );

    expect(dataset).toEqual(pirateDataset);
    expect(seen.map((s) => s.auth)).toEqual(['Bearer access-1', 'Bearer access-2']);
    expect(seen[1]).toMatchObject({ name: 'Pirates', visibility: 'shared', format: null, file: true });
    const [loaded, total] = progress.at(-1) ?? [0, 0];
    expect(total).toBeGreaterThan(0);
    expect(loaded).toBe(total);
    expect(store.getState().auth.accessToken).toBe('access-2');
  });

  it('puts the file under its own name in the multipart body, and the format only when given', async () => {
    const detected = uploadForm({ file: file(), name: 'Pirates', visibility: 'private', format: null });
    const sent = detected.get('file') as File;
    expect(sent.name).toBe('pirate.jsonl');
    expect(await sent.text()).toBe('{"messages": []}\n');
    expect(detected.has('format')).toBe(false);
    expect(uploadForm({ file: file(), name: 'P', visibility: 'private', format: 'alpaca' }).get('format')).toBe('alpaca');
  });

  it('rejects a refused file with every bad line, where, what and how to fix it', async () => {
    server.use(http.post(`${API}/datasets`, () => HttpResponse.json(refusedUpload, { status: 422 })));
    const store = makeStore(signedIn());

    const error = await uploadDataset(store, { file: file(), name: 'bad', visibility: 'private', format: 'openai' }).catch((e: unknown) => e);

    expect(error).toMatchObject({ status: 422 });
    const problems = lineProblems(error);
    expect(problems.map(({ line, unit, field, problem, fix }) => ({ line, unit, field, problem, fix }))).toEqual([
      { line: 2, unit: 'line', field: 'messages', problem: "turn 1 has no 'content'", fix: 'each turn needs its text as a string' },
      {
        line: 3,
        unit: 'line',
        field: '',
        problem: 'invalid JSON at column 1 (Expecting value)',
        fix: 'each line must be one complete JSON object',
      },
      {
        line: 4,
        unit: 'line',
        field: 'messages',
        problem: "turn 1 has unknown role 'bogus'",
        fix: "use role 'system', 'user' or 'assistant' (or 'tool' for a tool's result)",
      },
    ]);
    // What and fix stay coded, for the reader's language.
    expect(problems[0]?.problemDetail).toEqual({ code: 'data.error.turn_no_key', params: { turn: 1, key: 'content' } });
    expect(problems[0]?.fixDetail).toEqual({ code: 'data.fix.text_as_string', params: {} });
  });

  it('splits an uncoded line problem (an older server) at its first "; "', () => {
    const [first, ...rest] = refusedUpload.error.errors;
    const uncoded = { data: { error: { errors: [{ ...first, detail: undefined }, ...rest] } } };
    const [problem] = lineProblems(uncoded);
    expect(problem).toEqual({ line: 2, unit: 'line', field: 'messages', problem: "turn 1 has no 'content'", fix: 'each turn needs its text as a string' });
  });
});
