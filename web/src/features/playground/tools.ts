// The playground's optional tools: an OpenAI `tools` array typed as JSON, checked before sending.

export type ToolsProblem = 'json' | 'array' | 'function';

/** The parsed tools, `undefined` for an empty field, or the problem (an i18n key suffix). */
export function parseTools(text: string | undefined): { tools?: object[]; problem?: ToolsProblem } {
  if (!text?.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'json' };
  }
  if (!Array.isArray(value)) return { problem: 'array' };
  const isFunction = (tool: unknown) => {
    const fn = (tool as { type?: unknown; function?: { name?: unknown } } | null)?.function;
    return (tool as { type?: unknown } | null)?.type === 'function' && typeof fn?.name === 'string' && fn.name !== '';
  };
  if (!value.every(isFunction)) return { problem: 'function' };
  return { tools: value as object[] };
}
