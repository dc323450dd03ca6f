import { useEffect, useState } from 'react';
import { toApiError, type ApiError } from '../../../api/errors';
import { usePlanJobMutation } from '../../../api/jobsApi';
import type { Plan, PlanBody } from './state';

// Typing a goal or an override value re-plans once the user pauses, not on every key.
export const PLAN_DELAY_MS = 400;

interface Outcome {
  key: string;
  plan?: Plan;
  error?: ApiError;
}

/**
 * Resolves the plan for `body` whenever it changes (debounced; an older answer never replaces a
 * newer one). `plan`/`error` belong to the current body; `previous` is the last plan shown, for
 * keeping the page steady while a new one is on its way.
 */
export function usePlan(body: PlanBody | null, enabled: boolean) {
  const [planJob] = usePlanJobMutation();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [previous, setPrevious] = useState<Plan | null>(null);
  const key = body ? JSON.stringify(body) : null;
  const done = outcome !== null && outcome.key === key;

  useEffect(() => {
    if (!enabled || key === null || done) return;
    let live = true;
    let request: ReturnType<typeof planJob> | null = null;
    const timer = setTimeout(() => {
      request = planJob(JSON.parse(key) as PlanBody);
      request.unwrap().then(
        (plan) => {
          if (!live) return;
          setOutcome({ key, plan });
          setPrevious(plan);
        },
        (error: unknown) => {
          if (live) setOutcome({ key, error: toApiError(error) });
        },
      );
    }, PLAN_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
      request?.abort();
    };
  }, [enabled, key, done, planJob]);

  const current = done ? outcome : null;
  return {
    plan: current?.plan ?? null,
    error: current?.error ?? null,
    loading: enabled && key !== null && !done,
    previous,
  };
}
