// Server-Sent Events over fetch: EventSource cannot send the Authorization header, so the job
// stream and the playground read `text/event-stream` bodies with fetch and this parser.
import type { BaseQueryApi } from '@reduxjs/toolkit/query';
import type { AuthState } from '../features/auth/authSlice';
import { API_BASE, refreshOnce } from './baseQuery';

export interface SseMessage {
  id: string | null;
  event: string;
  data: string;
}

/** Splits an event-stream body into messages (spec: fields per line, a blank line ends one). */
export async function* parseSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let message: SseMessage = { id: null, event: 'message', data: '' };
  let hasData = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          if (hasData) yield message;
          message = { id: message.id, event: 'message', data: '' };
          hasData = false;
          continue;
        }
        if (line.startsWith(':')) continue; // a comment (keep-alive)
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') {
          message.data = hasData ? `${message.data}\n${value}` : value;
          hasData = true;
        } else if (field === 'event') message.event = value;
        else if (field === 'id') message.id = value;
      }
    }
  } finally {
    reader.releaseLock();
  }
}

type StoreLike = Pick<BaseQueryApi, 'dispatch' | 'getState'>;

/**
 * fetch against the API with the session's access token, renewing it once on a 401 (the same
 * single-flight refresh RTK Query uses). `path` is relative to /api/v1.
 */
export async function authedFetch(store: StoreLike, path: string, init: RequestInit = {}): Promise<Response> {
  const token = () => (store.getState() as { auth: AuthState }).auth.accessToken;
  const send = () => {
    const headers = new Headers(init.headers);
    const access = token();
    if (access) headers.set('Authorization', `Bearer ${access}`);
    return fetch(`${API_BASE}${path}`, { ...init, headers });
  };
  const api = { ...store, signal: init.signal ?? new AbortController().signal } as unknown as BaseQueryApi;
  if (token() === null) await refreshOnce(api, {});
  const used = token();
  const response = await send();
  if (response.status !== 401) return response;
  const renewed = token() !== used ? true : await refreshOnce(api, {});
  return renewed ? send() : response;
}
