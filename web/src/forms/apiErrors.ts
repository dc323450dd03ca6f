// One place that puts an API error next to the form field named by its `param`.
import type { FormInstance } from 'antd';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText, toApiError, type ApiError } from '../api/errors';

export type NamePath = (string | number)[];

// FastAPI-style location prefixes ("body.password"): where the value came from, not its name.
const LOCATIONS = new Set(['body', 'query', 'path', 'header', 'cookie']);

/** `"body.messages.0.content"` -> `["messages", 0, "content"]`; null when it names no field. */
export function paramToNamePath(param: string | null | undefined): NamePath | null {
  if (!param) return null;
  const parts = param.split('.').filter((p) => p !== '');
  if (parts.length > 0 && LOCATIONS.has(parts[0] as string)) parts.shift();
  if (parts.length === 0) return null;
  return parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

const asPath = (name: string | NamePath): NamePath => (typeof name === 'string' ? [name] : name);
const isPrefix = (prefix: NamePath, path: NamePath) =>
  prefix.length <= path.length && prefix.every((part, i) => part === path[i]);

/** The longest of `fields` that `param` points into, so a nested error lands on its form item. */
export function fieldForParam(param: string | null, fields: readonly (string | NamePath)[]): NamePath | null {
  const path = paramToNamePath(param);
  if (!path) return null;
  const matches = fields.map(asPath).filter((field) => isPrefix(field, path));
  return matches.sort((a, b) => b.length - a.length)[0] ?? null;
}

export interface SplitError {
  field: NamePath | null;
  message: string;
}

/** Where an error goes: on `field`, or (field null) above the form. */
export function splitApiError(error: ApiError, fields: readonly (string | NamePath)[], t: (k: string) => string): SplitError {
  return { field: fieldForParam(error.param, fields), message: errorText(error, t) };
}

/**
 * Form hook: `show(error)` puts the message under the field named by `param` when the form has it,
 * otherwise returns it as `formError` for an <Alert>; `clear()` forgets the form-level message.
 */
export function useApiErrors(form: FormInstance, fields: readonly (string | NamePath)[]) {
  const { t } = useTranslation();
  const [formError, setFormError] = useState<string | null>(null);
  const show = useCallback(
    (raw: unknown) => {
      const { field, message } = splitApiError(toApiError(raw), fields, t);
      if (field) form.setFields([{ name: field, errors: [message] }]);
      setFormError(field ? null : message);
    },
    [form, fields, t],
  );
  const clear = useCallback(() => setFormError(null), []);
  return { formError, show, clear };
}
