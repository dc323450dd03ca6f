import { describe, expect, it } from 'vitest';
import type { ApiError } from '../api/errors';
import { toApiError } from '../api/errors';
import { fieldForParam, paramToNamePath, splitApiError } from './apiErrors';

const t = (key: string) => `t:${key}`;
const err = (param: string | null, message = 'bad', errors: ApiError['errors'] = []): ApiError => ({
  status: 422,
  code: 'invalid',
  message,
  param,
  errors,
});

describe('paramToNamePath', () => {
  it.each([
    ['password', ['password']],
    ['body.password', ['password']],
    ['body.intent.level', ['intent', 'level']],
    ['body.messages.0.content', ['messages', 0, 'content']],
    ['query.limit', ['limit']],
    ['path', ['path']],
    ['body.path', ['path']],
    ['body', null],
    ['', null],
    [null, null],
  ])('%s -> %j', (param, expected) => {
    expect(paramToNamePath(param)).toEqual(expected);
  });
});

describe('fieldForParam', () => {
  const fields = ['username', 'password', ['intent', 'level'], 'messages'];
  it('finds a plain field with or without its location prefix', () => {
    expect(fieldForParam('password', fields)).toEqual(['password']);
    expect(fieldForParam('body.username', fields)).toEqual(['username']);
  });
  it('finds a nested field and the nearest enclosing one for deeper paths', () => {
    expect(fieldForParam('body.intent.level', fields)).toEqual(['intent', 'level']);
    expect(fieldForParam('body.messages.3.content', fields)).toEqual(['messages']);
  });
  it('returns null for a field the form does not have', () => {
    expect(fieldForParam('body.role', fields)).toBeNull();
    expect(fieldForParam('body.intent', fields)).toBeNull();
    expect(fieldForParam(null, fields)).toBeNull();
  });
});

describe('splitApiError', () => {
  it('keeps the API message and targets the field', () => {
    expect(splitApiError(err('body.password', 'too short'), ['password'], t)).toEqual({
      fields: [{ field: ['password'], message: 'too short' }],
      formMessage: null,
    });
  });
  it('puts a message naming no field of the form above the form', () => {
    expect(splitApiError(err('body.role', 'bad role'), ['password'], t)).toEqual({ fields: [], formMessage: 'bad role' });
  });
  it('spreads every problem of a validation error over its field, the rest above the form', () => {
    const problems = [
      { param: 'username', message: 'username is required; add it' },
      { param: 'password', message: 'password must have at least 1 characters' },
      { param: 'extra', message: 'extra is not a known field; remove it' },
      { param: null, message: 'the request body must be a JSON object' },
    ];
    expect(splitApiError(err('username', 'all of them', problems), ['username', 'password'], t)).toEqual({
      fields: [
        { field: ['username'], message: 'username is required; add it' },
        { field: ['password'], message: 'password must have at least 1 characters' },
      ],
      formMessage: 'extra is not a known field; remove it; the request body must be a JSON object',
    });
  });
  it('falls back to a translated message when the server sent none', () => {
    const network = toApiError({ status: 'FETCH_ERROR', error: 'TypeError: fetch failed' });
    expect(splitApiError(network, ['password'], t)).toEqual({ fields: [], formMessage: 't:errors.network' });
    const crash = toApiError({ status: 502, data: '<html>Bad gateway</html>' });
    expect(splitApiError(crash, [], t).formMessage).toBe('t:errors.server');
  });
  it('reads the error envelope out of an RTK Query error', () => {
    const raw = { status: 409, data: { error: { code: 'conflict', message: 'taken', param: 'body.username' } } };
    expect(toApiError(raw)).toEqual({ status: 409, code: 'conflict', message: 'taken', param: 'body.username', errors: [], detail: null });
  });
  it('keeps every problem of a validation error', () => {
    const errors = [{ param: 'username', message: 'a' }, { message: 'b' }];
    const raw = { status: 422, data: { error: { code: 'validation_error', message: 'a; b', param: 'username', errors } } };
    expect(toApiError(raw).errors).toEqual([
      { param: 'username', message: 'a', detail: null },
      { param: null, message: 'b', detail: null },
    ]);
  });
});
