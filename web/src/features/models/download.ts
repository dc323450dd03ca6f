// Adapter zips need the bearer token, so a plain link cannot fetch them: the file is read as a
// stream (for a progress bar), then saved through an object URL.
import type { BaseQueryApi } from '@reduxjs/toolkit/query';
import { authedFetch } from '../../api/sse';
import { responseError } from './fetchError';
import type { Model } from './modelInfo';

export interface DownloadProgress {
  received: number;
  /** From Content-Length; null when the server streams without one (zips are built on the fly). */
  total: number | null;
}

type StoreLike = Pick<BaseQueryApi, 'dispatch' | 'getState'>;

/** The server's safe ASCII name (`filename="..."`), else one built the same way from the model. */
export function zipName(model: Pick<Model, 'id' | 'name' | 'version'>, disposition: string | null): string {
  const fromServer = /filename="([A-Za-z0-9._-]+)"/.exec(disposition ?? '')?.[1];
  if (fromServer) return fromServer;
  const slug = model.name.normalize('NFKD').replace(/[^A-Za-z0-9._]+/g, '-').replace(/^[-._]+|[-._]+$/g, '');
  return `${slug || model.id}-v${model.version}.zip`;
}

async function readAll(body: ReadableStream<Uint8Array>, total: number | null, onProgress: (p: DownloadProgress) => void) {
  const reader = body.getReader();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let received = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    // fetch bodies are backed by plain ArrayBuffers; the cast avoids copying each chunk.
    chunks.push(value as Uint8Array<ArrayBuffer>);
    received += value.byteLength;
    onProgress({ received, total });
  }
  return chunks;
}

function save(blob: Blob, fileName: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // Some browsers start reading the URL only after click() returns.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Downloads one API file (path under /api/v1) and saves it; throws an RTK-Query-shaped error. */
export async function downloadPath(
  store: StoreLike,
  path: string,
  fileName: string | ((disposition: string | null) => string),
  onProgress: (progress: DownloadProgress) => void,
  signal: AbortSignal,
  type = 'application/octet-stream',
): Promise<void> {
  const response = await authedFetch(store, path, { signal });
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- RTK Query's error shape
  if (!response.ok) throw await responseError(response);
  const length = Number(response.headers.get('Content-Length'));
  const total = Number.isFinite(length) && length > 0 ? length : null;
  onProgress({ received: 0, total });
  const chunks = response.body ? await readAll(response.body, total, onProgress) : [];
  const name = typeof fileName === 'string' ? fileName : fileName(response.headers.get('Content-Disposition'));
  save(new Blob(chunks, { type }), name);
}

/** Downloads an adapter as a zip; throws an RTK-Query-shaped error (see `toApiError`) on failure. */
export async function downloadModel(
  store: StoreLike,
  model: Model,
  onProgress: (progress: DownloadProgress) => void,
  signal: AbortSignal,
): Promise<void> {
  await downloadPath(store, `/models/${encodeURIComponent(model.id)}/download`, (disposition) => zipName(model, disposition), onProgress, signal, 'application/zip');
}
