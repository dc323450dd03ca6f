// POST /playground/generate with `stream: true`: SSE `token` frames ({which: "model"|"base", text})
// for the chosen model's answer, then (for an adapter with compare_base) the base model's, then `done`.
import type { BaseQueryApi } from '@reduxjs/toolkit/query';
import { authedFetch, parseSse } from '../../api/sse';
import type { Body, Schemas } from '../../api/types';
import { responseError } from '../models/fetchError';

export type Side = 'model' | 'base';
export type GenerateBody = Omit<Body<'/api/v1/playground/generate', 'post'>, 'stream'>;
export type Generated = Schemas['GenerateResponse'];

type StoreLike = Pick<BaseQueryApi, 'dispatch' | 'getState'>;

/** The stream closed before its `done` frame: the server failed while generating. */
export class StreamEndedEarly extends Error {
  constructor() {
    super('the answer stream ended before it finished');
    this.name = 'StreamEndedEarly';
  }
}

/**
 * Streams an answer, calling `onToken` for each piece; resolves with the `done` frame. Throws the
 * response as an RTK-Query-shaped error for 4xx/5xx, `StreamEndedEarly`, or an AbortError on stop.
 */
export async function generateStream(
  store: StoreLike,
  body: GenerateBody,
  onToken: (side: Side, text: string) => void,
  signal: AbortSignal,
): Promise<Generated> {
  const response = await authedFetch(store, '/playground/generate', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
    body: JSON.stringify({ ...body, stream: true }),
    signal,
  });
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- RTK Query's error shape
  if (!response.ok) throw await responseError(response);
  if (!response.body) throw new StreamEndedEarly();
  // Piped with the signal, so Stop cancels the body too (some fetch implementations leave an
  // already-started body open when the request is aborted).
  const events = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>(), { signal });
  for await (const message of parseSse(events)) {
    if (message.event === 'token') {
      const { which, text } = JSON.parse(message.data) as { which: Side; text: string };
      onToken(which === 'base' ? 'base' : 'model', text);
    } else if (message.event === 'done') {
      return JSON.parse(message.data) as Generated;
    }
  }
  throw new StreamEndedEarly();
}
