// Turns whatever a request failed with into the API's error envelope `{code, message, param}`.
import type { FetchBaseQueryError } from '@reduxjs/toolkit/query';
import type { SerializedError } from '@reduxjs/toolkit';
import type { ErrorBody } from './types';

export interface ApiError {
  status: number | 'network' | 'unknown';
  code: string;
  message: string;
  param: string | null;
}

function isEnvelope(data: unknown): data is { error: ErrorBody } {
  if (typeof data !== 'object' || data === null || !('error' in data)) return false;
  const body = (data as { error: unknown }).error;
  return typeof body === 'object' && body !== null && typeof (body as ErrorBody).message === 'string';
}

function isFetchError(error: unknown): error is FetchBaseQueryError {
  return typeof error === 'object' && error !== null && 'status' in error;
}

/** Normalises an RTK Query error (or anything thrown) into one `ApiError`. */
export function toApiError(error: unknown): ApiError {
  if (isFetchError(error)) {
    if (typeof error.status === 'number') {
      if (isEnvelope(error.data)) {
        const { code, message, param } = error.data.error;
        return { status: error.status, code, message, param: param ?? null };
      }
      return { status: error.status, code: `http_${error.status}`, message: '', param: null };
    }
    if (error.status === 'FETCH_ERROR' || error.status === 'TIMEOUT_ERROR') {
      return { status: 'network', code: 'network', message: '', param: null };
    }
  }
  const message = (error as SerializedError | undefined)?.message ?? '';
  return { status: 'unknown', code: 'unknown', message, param: null };
}

type Translate = (key: string, options?: Record<string, unknown>) => string;

/** The text to show for an error: the API's own message, else a translated fallback. */
export function errorText(error: ApiError, t: Translate): string {
  if (error.message) return error.message;
  if (error.status === 'network') return t('errors.network');
  if (typeof error.status === 'number' && error.status >= 500) return t('errors.server', { status: error.status });
  return t('errors.unknown');
}
