import { errorText, problemText, type ApiError } from '../../../api/errors';

export interface PlanErrors {
  /** Messages for an override, by its key ("lora.r"). */
  byKey: Map<string, string[]>;
  /** Messages for the goal text. */
  description: string[];
  /** The rest, for an alert above the plan. */
  general: string[];
}

const strip = (param: string) => (param.startsWith('body.') ? param.slice('body.'.length) : param);

/**
 * Places a plan refusal: an override problem (`param` "overrides.lora.r") goes next to the row
 * with that key, a goal problem under the goal, anything else above the plan.
 */
export function placePlanError(error: ApiError | null, keys: Set<string>, t: (key: string) => string): PlanErrors {
  const placed: PlanErrors = { byKey: new Map(), description: [], general: [] };
  if (!error) return placed;
  const problems =
    error.errors.length > 0 ? error.errors.map((p) => ({ param: p.param, message: problemText(p) })) : [{ param: error.param, message: errorText(error, t) }];
  for (const { param, message } of problems) {
    const path = param ? strip(param) : '';
    const key = path.startsWith('overrides.') ? path.slice('overrides.'.length) : null;
    if (key !== null && keys.has(key)) placed.byKey.set(key, [...(placed.byKey.get(key) ?? []), message]);
    else if (key !== null) placed.general.push(`${key}: ${message}`);
    else if (path === 'intent.description') placed.description.push(message);
    else placed.general.push(message);
  }
  return placed;
}
