// A refused dataset file comes back as a 422 whose `error.errors` lists every bad line as
// {line, unit, field, message, detail}; the message reads "line 17: what is wrong; how to fix it"
// in English, and `detail` codes it ({code: 'data.where.line', params: {line, problem}}, the problem
// {code: 'data.with_fix', params: {problem, fix}} when it names a fix) for the reader's language.
import { isDetail, renderMessage, type MessageDetail } from '../../i18n/messages';

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
  /** `problem` coded, to render in the reader's language (servers before coded line errors: none). */
  problemDetail?: MessageDetail;
  /** `fix` coded, when there is one. */
  fixDetail?: MessageDetail;
}

interface RawProblem {
  line: number;
  unit?: unknown;
  field?: unknown;
  message: string;
  detail?: unknown;
}

/** A coded line error without its "where" (the table has a column for it), split into what and fix. */
export function splitDetail(detail: MessageDetail): { problemDetail: MessageDetail; fixDetail?: MessageDetail } {
  const inner = detail.code.startsWith('data.where.') ? detail.params?.problem : detail;
  const said = isDetail(inner) ? inner : detail;
  const { problem, fix } = said.params ?? {};
  if (said.code === 'data.with_fix' && isDetail(problem) && isDetail(fix)) return { problemDetail: problem, fixDetail: fix };
  return { problemDetail: said };
}

/** What and fix, coded when the server sent `detail`; their English text then follows the codes. */
function splitProblem(raw: RawProblem, unit: string): Omit<LineProblem, 'line' | 'unit' | 'field'> {
  if (!isDetail(raw.detail)) return splitMessage(raw.message, unit, raw.line);
  const coded = splitDetail(raw.detail);
  const english = (detail: MessageDetail | undefined) => (detail ? (renderMessage(detail, 'en') ?? '') : '');
  const problem = english(coded.problemDetail);
  if (!problem) return splitMessage(raw.message, unit, raw.line); // codes this build does not know
  return { problem, fix: english(coded.fixDetail), ...coded };
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
      return { line: raw.line, unit, field, ...splitProblem(raw, unit) };
    });
}
