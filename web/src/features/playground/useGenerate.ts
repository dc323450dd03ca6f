import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { useStore } from 'react-redux';
import { isAbort } from '../models/fetchError';
import { answersReducer } from './answers';
import { generateStream, type GenerateBody } from './generate';

export type RunOutcome = { ok: true } | { ok: false; error: unknown };

/** One Generate run at a time: streamed answers, a `stop()` that aborts the request. */
export function useGenerate() {
  const store = useStore();
  const [answers, dispatch] = useReducer(answersReducer, null);
  const [running, setRunning] = useState(false);
  const controller = useRef<AbortController | null>(null);
  useEffect(() => () => controller.current?.abort(), []);

  const run = useCallback(
    async (body: GenerateBody): Promise<RunOutcome> => {
      controller.current?.abort();
      const current = new AbortController();
      controller.current = current;
      setRunning(true);
      dispatch({ type: 'start', compare: body.compare_base ?? false });
      try {
        const result = await generateStream(store, body, (side, text) => dispatch({ type: 'token', side, text }), current.signal);
        dispatch({ type: 'done', result });
        return { ok: true };
      } catch (error) {
        const stopped = current.signal.aborted || isAbort(error);
        // A refused request (4xx/5xx before the stream) produced no answer at all.
        const refused = !stopped && typeof error === 'object' && error !== null && 'status' in error;
        dispatch(refused ? { type: 'reset' } : { type: 'end', state: stopped ? 'stopped' : 'incomplete' });
        return stopped ? { ok: true } : { ok: false, error };
      } finally {
        if (controller.current === current) {
          controller.current = null;
          setRunning(false);
        }
      }
    },
    [store],
  );
  const stop = useCallback(() => controller.current?.abort(), []);
  return { answers, running, run, stop };
}
