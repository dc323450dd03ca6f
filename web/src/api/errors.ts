// Turns whatever a request failed with into the API's error envelope `{code, message, param, errors?}`.
import type { FetchBaseQueryError } from '@reduxjs/toolkit/query';
import type { SerializedError } from '@reduxjs/toolkit';
import i18n from '../i18n';
import { renderMessage, type MessageDetail } from '../i18n/messages';
import type { ErrorDetail } from './types';

export interface ApiError {
  status: number | 'network' | 'unknown';
  code: string;
  message: string;
  param: string | null;
  /** Every problem of a validation error (one per field); empty for other errors. */
  errors: FieldProblem[];
  /** The message as {code, params} (intent engine errors), worded in the reader's language. */
  detail?: MessageDetail | null;
}

export interface FieldProblem {
  param: string | null;
  message: string;
  detail?: MessageDetail | null;
}

function isEnvelope(data: unknown): data is { error: ErrorDetail } {
  if (typeof data !== 'object' || data === null || !('error' in data)) return false;
  const body = data.error;
  return typeof body === 'object' && body !== null && typeof (body as ErrorDetail).message === 'string';
}

function isFetchError(error: unknown): error is FetchBaseQueryError {
  return typeof error === 'object' && error !== null && 'status' in error;
}

/** Normalises an RTK Query error (or anything thrown) into one `ApiError`. */
export function toApiError(error: unknown): ApiError {
  if (isFetchError(error)) {
    if (typeof error.status === 'number') {
      if (isEnvelope(error.data)) {
        const { code, message, param, errors, detail } = error.data.error;
        const problems = (errors ?? []).map((e) => ({ param: e.param ?? null, message: e.message, detail: e.detail ?? null }));
        return { status: error.status, code, message, param: param ?? null, errors: problems, detail: detail ?? null };
      }
      return { status: error.status, code: `http_${error.status}`, message: '', param: null, errors: [] };
    }
    if (error.status === 'FETCH_ERROR' || error.status === 'TIMEOUT_ERROR') {
      return { status: 'network', code: 'network', message: '', param: null, errors: [] };
    }
  }
  const message = (error as SerializedError | undefined)?.message ?? '';
  return { status: 'unknown', code: 'unknown', message, param: null, errors: [] };
}

type Translate = (key: string, options?: Record<string, unknown>) => string;

/** A problem's text in `language` from its code and params, else the API's English message. */
export function problemText(problem: FieldProblem, language: string = i18n.language || 'en'): string {
  return (problem.detail ? renderMessage(problem.detail, language) : null) ?? problem.message;
}

/**
 * The text to show for an error: the coded message (`detail`) in the reader's language; else in
 * English the API's own message, in another language the translation of a known error code
 * (`errors.codes.*`), else the API's English message; without a message, a translated fallback.
 */
export function errorText(error: ApiError, t: Translate, language: string = i18n.language || 'en'): string {
  const coded = error.detail ? renderMessage(error.detail, language) : null;
  if (coded) return coded;
  const key = `errors.codes.${error.code}`;
  if (!language.startsWith('en') && i18n.exists(key)) return t(key, { param: error.param ?? '' });
  if (error.message) return error.message;
  if (error.status === 'network') return t('errors.network');
  if (typeof error.status === 'number' && error.status >= 500) return t('errors.server', { status: error.status });
  return t('errors.unknown');
}
