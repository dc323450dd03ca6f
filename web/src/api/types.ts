// Types for the REST API, derived from the generated `schema.d.ts` (never hand-written).
// Endpoints are keyed by path and method, which stay stable whatever operationIds FastAPI emits.
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type TokenPair = Schemas['TokenPairPublic'];
export type UserPublic = Schemas['UserPublic'];
export type Me = Schemas['Me'];
export type Role = Schemas['Role'];
export type ErrorDetail = Schemas['ErrorDetail'];
export type AuditEvent = Schemas['AuditEventPublic'];

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Op<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;

/** JSON request body of `M P`. */
export type Body<P extends keyof paths, M extends Method> = JsonOf<NonNullable<Op<P, M>['requestBody']>>;

/** JSON payload of the success response of `M P` (void for 204). */
export type Ok<P extends keyof paths, M extends Method> =
  Op<P, M>['responses'] extends Record<200, infer R>
    ? JsonOf<R>
    : Op<P, M>['responses'] extends Record<201, infer R>
      ? JsonOf<R>
      : void;

/** Query parameters of `M P`. */
export type Query<P extends keyof paths, M extends Method> = NonNullable<Op<P, M>['parameters']['query']>;
