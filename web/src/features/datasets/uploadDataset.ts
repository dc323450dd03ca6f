// Dataset uploads go over XMLHttpRequest: fetch cannot report how much of a request body was sent,
// and a large file needs a real progress bar. Auth follows `authedFetch` (api/sse.ts): the
// session's access token, renewed once (single-flight, shared with RTK Query) on a 401.
import type { BaseQueryApi, FetchBaseQueryError } from '@reduxjs/toolkit/query';
import { API_BASE, refreshOnce } from '../../api/baseQuery';
import type { Schemas } from '../../api/types';
import type { AuthState } from '../auth/authSlice';

export type Dataset = Schemas['DatasetPublic'];
export type Visibility = Schemas['Visibility'];

export interface UploadRequest {
  file: File;
  name: string;
  visibility: Visibility;
  /** A format name (openai, sharegpt, alpaca, text), or null to let the server detect it. */
  format: string | null;
}

export interface UploadOptions {
  /** Bytes of the request body sent so far, of `total`. */
  onProgress?: (loaded: number, total: number) => void;
  signal?: AbortSignal;
}

type StoreLike = Pick<BaseQueryApi, 'dispatch' | 'getState'>;

interface Reply {
  status: number;
  body: unknown;
}

/** What an aborted upload rejects with (a DOMException named AbortError, like fetch). */
export const isAbort = (error: unknown) => error instanceof DOMException && error.name === 'AbortError';

function parseBody(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The multipart body: name, visibility, format (left out to detect) and the file. */
export function uploadForm(request: UploadRequest): FormData {
  const form = new FormData();
  form.append('name', request.name);
  form.append('visibility', request.visibility);
  if (request.format) form.append('format', request.format);
  form.append('file', request.file, request.file.name);
  return form;
}

function post(request: UploadRequest, token: string | null, { onProgress, signal }: UploadOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new DOMException('upload cancelled', 'AbortError'));
      return;
    }
    const xhr = new XMLHttpRequest();
    const abort = () => xhr.abort();
    const done = () => signal?.removeEventListener('abort', abort);
    xhr.open('POST', `${API_BASE}/datasets`);
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress?.(event.loaded, event.total);
    });
    xhr.addEventListener('load', () => {
      done();
      resolve({ status: xhr.status, body: parseBody(xhr.responseText) });
    });
    xhr.addEventListener('error', () => {
      done();
      // RTK Query's error shape (FetchBaseQueryError), which every caller's toApiError reads.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      reject({ status: 'FETCH_ERROR', error: 'the upload did not reach the server' } satisfies FetchBaseQueryError);
    });
    xhr.addEventListener('abort', () => {
      done();
      reject(new DOMException('upload cancelled', 'AbortError'));
    });
    signal?.addEventListener('abort', abort);
    xhr.send(uploadForm(request));
  });
}

/**
 * Uploads a dataset file (multipart POST /datasets) and resolves with the stored, validated
 * dataset. Rejects with a FetchBaseQueryError-shaped `{status, data}` (so `toApiError` and
 * `lineProblems` read it), or an AbortError when `signal` cancels it.
 */
export async function uploadDataset(store: StoreLike, request: UploadRequest, options: UploadOptions = {}): Promise<Dataset> {
  const token = () => (store.getState() as { auth: AuthState }).auth.accessToken;
  const api = { ...store, signal: options.signal ?? new AbortController().signal } as unknown as BaseQueryApi;
  if (token() === null) await refreshOnce(api, {});
  const used = token();
  let reply = await post(request, used, options);
  if (reply.status === 401) {
    // Someone may have renewed the token while the file was on its way; else renew it here.
    const renewed = token() !== used ? true : await refreshOnce(api, {});
    if (renewed) reply = await post(request, token(), options);
  }
  if (reply.status >= 200 && reply.status < 300) return reply.body as Dataset;
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- RTK Query's error shape
  throw { status: reply.status, data: reply.body } satisfies FetchBaseQueryError;
}
