// Follows GET /jobs/{id}/stream (Server-Sent Events over fetch, with the session's token):
// `event` and `metric` messages, then `end`. Reconnects with backoff after a drop and resumes
// after the last message id it saw (Last-Event-ID: "<event seq>.<metric row>").
import { useEffect, useRef, useState } from 'react';
import { useStore } from 'react-redux';
import { authedFetch, parseSse, type SseMessage } from '../../api/sse';
import type { AppStore } from '../../app/store';
import type { JobEvent, Metric } from './metrics';

export type StreamState = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'ended' | 'failed';

export interface StreamBatch {
  metrics: Metric[];
  events: JobEvent[];
}

interface Options {
  /** Follow only while true (the job has not ended). */
  enabled: boolean;
  /** Where to start: the id of the newest row already shown, or null for everything. */
  startAfter: () => string | null;
  /** Rows that arrived, batched (a reconnect can send hundreds at once). */
  onBatch: (batch: StreamBatch) => void;
  /** The job ended and every row was sent. */
  onEnd: () => void;
}

export const FLUSH_MS = 150;
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;
// Retrying cannot help: the job is gone or the session cannot be renewed.
const FINAL_STATUSES = new Set([401, 403, 404]);

// The stream writes timestamps with Python's str(): "2025-01-02 03:04:05.6+00:00".
const isoTime = (value: unknown) => (typeof value === 'string' ? value.replace(/^(\d{4}-\d\d-\d\d) /, '$1T') : '');

/** A stream message as a row, or null for anything unreadable (skipped, not fatal). */
export function readMessage(message: SseMessage): { metric: Metric } | { event: JobEvent } | null {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(message.data) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (message.event === 'metric' && typeof data.step === 'number') {
    return { metric: { ...(data as unknown as Metric), extra: (data.extra ?? {}) as Metric['extra'], created_at: isoTime(data.created_at) } };
  }
  if (message.event === 'event' && typeof data.seq === 'number') {
    return { event: { ...(data as unknown as JobEvent), data: (data.data ?? {}) as JobEvent['data'], created_at: isoTime(data.created_at) } };
  }
  return null;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

/** Streams a job's new rows while `enabled`; returns the connection's state for the page to show. */
export function useJobStream(jobId: number, { enabled, startAfter, onBatch, onEnd }: Options): StreamState {
  const store = useStore() as AppStore;
  const [state, setState] = useState<StreamState>('idle');
  // The callbacks change every render; the connection must not restart because of that.
  const handlers = useRef({ startAfter, onBatch, onEnd });
  useEffect(() => {
    handlers.current = { startAfter, onBatch, onEnd };
  });

  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    const { signal } = controller;
    let pending: StreamBatch = { metrics: [], events: [] };
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      if (signal.aborted || (pending.metrics.length === 0 && pending.events.length === 0)) return;
      const batch = pending;
      pending = { metrics: [], events: [] };
      handlers.current.onBatch(batch);
    };
    const add = (message: SseMessage) => {
      const row = readMessage(message);
      if (row === null) return;
      if ('metric' in row) pending.metrics.push(row.metric);
      else pending.events.push(row.event);
      timer ??= setTimeout(flush, FLUSH_MS);
    };

    const follow = async () => {
      let lastId = handlers.current.startAfter();
      let delay = FIRST_DELAY_MS;
      for (let tries = 0; !signal.aborted; tries++) {
        setState(tries === 0 ? 'connecting' : 'reconnecting');
        try {
          const headers: Record<string, string> = lastId ? { 'Last-Event-ID': lastId } : {};
          const response = await authedFetch(store, `/jobs/${jobId}/stream`, { signal, headers });
          if (FINAL_STATUSES.has(response.status)) return setState('failed');
          if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
          setState('live');
          for await (const message of parseSse(response.body)) {
            delay = FIRST_DELAY_MS; // data flows again: the next drop starts the backoff over
            if (message.id) lastId = message.id;
            if (message.event === 'end') {
              flush();
              setState('ended');
              return handlers.current.onEnd();
            }
            add(message);
          }
        } catch {
          // A network drop or a server restart: try again below, unless the page went away.
        }
        if (signal.aborted) return;
        flush();
        setState('reconnecting');
        await sleep(delay, signal);
        delay = Math.min(delay * 2, MAX_DELAY_MS);
      }
    };
    void follow();
    return () => {
      controller.abort();
      if (timer !== null) clearTimeout(timer);
    };
  }, [enabled, jobId, store]);

  return enabled ? state : state === 'ended' ? 'ended' : 'idle';
}
