// A refused dataset file comes back as a 422 whose `error.errors` lists every bad line as
// {line, unit, field, message}; the message reads "line 17: what is wrong; how to fix it".

export interface LineProblem {
  /** 1-based line, record or row; 0 is the file as a whole. */
  line: number;
  /** What `line` counts: "line", "record" or "row". */
  unit: string;
  /** The offending field, or "" when the problem is about the whole record. */
  field: string;
  /** What is wrong, without the "line 17: " prefix. */
  problem: string;
  /** How to fix it; "" when the message does not say separately. */
  fix: string;
}

interface RawProblem {
  line: number;
  unit?: unknown;
  field?: unknown;
  message: string;
}

const isRawProblem = (value: unknown): value is RawProblem =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as RawProblem).line === 'number' &&
  typeof (value as RawProblem).message === 'string';

/** The error body's `errors`, when it is there. */
function rawErrors(error: unknown): unknown[] {
  if (typeof error !== 'object' || error === null || !('data' in error)) return [];
  const data = error.data;
  if (typeof data !== 'object' || data === null || !('error' in data)) return [];
  const detail = data.error;
  if (typeof detail !== 'object' || detail === null) return [];
  const errors = (detail as { errors?: unknown }).errors;
  return Array.isArray(errors) ? errors : [];
}

/** Splits "line 17: missing 'output' field; each record needs ..." into what and fix. */
export function splitMessage(message: string, unit: string, line: number): { problem: string; fix: string } {
  const prefix = `${unit} ${line}: `;
  const text = line > 0 && message.startsWith(prefix) ? message.slice(prefix.length) : message;
  const cut = text.indexOf('; ');
  if (cut < 0) return { problem: text, fix: '' };
  return { problem: text.slice(0, cut), fix: text.slice(cut + 2) };
}

/** Every bad line of a refused upload, in file order; empty for any other error. */
export function lineProblems(error: unknown): LineProblem[] {
  return rawErrors(error)
    .filter(isRawProblem)
    .map((raw) => {
      const unit = typeof raw.unit === 'string' && raw.unit ? raw.unit : 'line';
      const field = typeof raw.field === 'string' ? raw.field : '';
      return { line: raw.line, unit, field, ...splitMessage(raw.message, unit, raw.line) };
    });
}
