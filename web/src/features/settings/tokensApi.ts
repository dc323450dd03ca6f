import { api } from '../../api/api';
import type { Body, Ok } from '../../api/types';

/** Personal API tokens of the signed-in user; the secret comes back once, from create. */
export const tokensApi = api.injectEndpoints({
  endpoints: (build) => ({
    listTokens: build.query<Ok<'/api/v1/auth/tokens', 'get'>, void>({
      query: () => '/auth/tokens',
      providesTags: ['Token'],
    }),
    createToken: build.mutation<Ok<'/api/v1/auth/tokens', 'post'>, Body<'/api/v1/auth/tokens', 'post'>>({
      query: (body) => ({ url: '/auth/tokens', method: 'POST', body }),
      invalidatesTags: ['Token', 'Audit'],
    }),
    revokeToken: build.mutation<void, number>({
      query: (id) => ({ url: `/auth/tokens/${id}`, method: 'DELETE' }),
      invalidatesTags: ['Token', 'Audit'],
    }),
  }),
});

export const { useListTokensQuery, useCreateTokenMutation, useRevokeTokenMutation } = tokensApi;
