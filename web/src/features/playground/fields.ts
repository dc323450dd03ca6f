// The form has a system prompt and a message; the API has `messages[]`. Errors the API reports
// on `messages.N...` are put back on the form field that message came from.

export const FIELDS = ['model_id', 'system', 'message', 'tools', 'max_new_tokens', 'temperature'];

type Envelope = { error: { param?: string | null; errors?: { param?: string | null; message: string }[] } };

/** `messages.0.content` -> `system` when message 0 is the system prompt, else `message`. */
export function formParam(param: string | null | undefined, roles: readonly string[]): string | null {
  if (!param) return null;
  const match = /^(?:body\.)?messages(?:\.(\d+))?/.exec(param);
  if (!match) return param;
  const role = match[1] === undefined ? 'user' : roles[Number(match[1])];
  return role === 'system' ? 'system' : 'message';
}

function isEnvelope(data: unknown): data is Envelope {
  return typeof data === 'object' && data !== null && 'error' in data && typeof (data as Envelope).error === 'object';
}

/** The same `{status, data}` error with every param named after a form field. */
export function withFormParams<E extends { status: number; data: unknown }>(error: E, roles: readonly string[]): E {
  if (!isEnvelope(error.data)) return error;
  const { param, errors } = error.data.error;
  const rewritten = {
    ...error.data.error,
    param: formParam(param, roles),
    ...(errors && { errors: errors.map((e) => ({ ...e, param: formParam(e.param, roles) })) }),
  };
  return { ...error, data: { ...error.data, error: rewritten } };
}
