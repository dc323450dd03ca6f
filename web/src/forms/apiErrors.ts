// One place that puts an API error next to the form field named by its `param`.
import { Form, type FormInstance } from 'antd';
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
  // A lone location word is a field of that name (POST /models has a `path`), except `body`,
  // which names the whole request body.
  if (parts.length > 1 && LOCATIONS.has(parts[0] as string)) parts.shift();
  else if (parts.length === 1 && parts[0] === 'body') return null;
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

export interface FieldMessage {
  field: NamePath;
  message: string;
}

export interface SplitError {
  /** Messages that belong under a form item. */
  fields: FieldMessage[];
  /** What no form item can show, for an <Alert> above the form; null when nothing is left. */
  formMessage: string | null;
}

/**
 * Where an error goes. A validation error lists every problem (`errors`): each lands on its field,
 * the rest are joined above the form; any other error is one message, on its `param`'s field.
 */
export function splitApiError(error: ApiError, fields: readonly (string | NamePath)[], t: (k: string) => string): SplitError {
  const problems = error.errors.length > 0 ? error.errors : [{ param: error.param, message: errorText(error, t) }];
  const placed: FieldMessage[] = [];
  const rest: string[] = [];
  for (const problem of problems) {
    const field = fieldForParam(problem.param, fields);
    if (field) placed.push({ field, message: problem.message });
    else rest.push(problem.message);
  }
  return { fields: placed, formMessage: rest.length > 0 ? rest.join('; ') : null };
}

/** Groups messages by field, so two problems of one field both show. */
function toFieldData(messages: FieldMessage[]) {
  const byField = new Map<string, { name: NamePath; errors: string[] }>();
  for (const { field, message } of messages) {
    const key = JSON.stringify(field);
    const entry = byField.get(key) ?? { name: field, errors: [] };
    entry.errors.push(message);
    byField.set(key, entry);
  }
  return [...byField.values()];
}

/**
 * Form hook: `show(error)` puts each message under the field its `param` names when the form has
 * it, and returns the rest as `formError` for an <Alert>; `clear()` forgets the form-level message.
 */
export function useApiErrors(form: FormInstance, fields: readonly (string | NamePath)[]) {
  const { t } = useTranslation();
  const [formError, setFormError] = useState<string | null>(null);
  const show = useCallback(
    (raw: unknown) => {
      const split = splitApiError(toApiError(raw), fields, t);
      form.setFields(toFieldData(split.fields));
      setFormError(split.formMessage);
    },
    [form, fields, t],
  );
  const clear = useCallback(() => setFormError(null), []);
  return { formError, show, clear };
}

/**
 * A dialog's form: `submit(action)` makes an onFinish that forgets old errors, sends the request
 * and shows what the API refuses; `close()` resets the fields and errors, then calls `onClose`.
 */
export function useDialogForm<Values>(fields: readonly (string | NamePath)[], onClose: () => void) {
  const [form] = Form.useForm<Values>();
  const { formError, show, clear } = useApiErrors(form, fields);
  const close = () => {
    form.resetFields();
    clear();
    onClose();
  };
  const submit = (action: (values: Values) => Promise<unknown>) => async (values: Values) => {
    clear();
    try {
      await action(values);
    } catch (error) {
      show(error);
    }
  };
  return { form, formError, close, submit };
}
