import { api } from '../../api/api';
import type { Body, Ok } from '../../api/types';
import { REFRESH_TOKEN_KEY, loggedOut, tokensReceived } from './authSlice';
import { readItem } from '../preferences/storage';
import type { AuthState } from './authSlice';

export const authApi = api.injectEndpoints({
  endpoints: (build) => ({
    login: build.mutation<Ok<'/api/v1/auth/login', 'post'>, Body<'/api/v1/auth/login', 'post'>>({
      query: (body) => ({ url: '/auth/login', method: 'POST', body }),
      async onQueryStarted(_arg, { dispatch, queryFulfilled }) {
        const { data } = await queryFulfilled.catch(() => ({ data: null }));
        if (data) dispatch(tokensReceived(data));
      },
    }),
    // The server ends the sign-in the access token belongs to (renewed first if it expired);
    // the session is forgotten locally whatever the server said.
    logout: build.mutation<void, void>({
      async queryFn(_arg, { dispatch, getState }, _extra, baseQuery) {
        const token = readItem(REFRESH_TOKEN_KEY) ?? (getState() as { auth: AuthState }).auth.refreshToken;
        if (token) await baseQuery({ url: '/auth/logout', method: 'POST' });
        dispatch(loggedOut());
        return { data: undefined };
      },
    }),
    me: build.query<Ok<'/api/v1/auth/me', 'get'>, void>({
      query: () => '/auth/me',
      providesTags: ['Me'],
    }),
    // The server ends every session of the user on success, this one included: sign out here too.
    changePassword: build.mutation<void, Body<'/api/v1/auth/password', 'post'>>({
      query: (body) => ({ url: '/auth/password', method: 'POST', body }),
      async onQueryStarted(_arg, { dispatch, queryFulfilled }) {
        const ok = await queryFulfilled.then(() => true).catch(() => false);
        if (ok) dispatch(loggedOut());
      },
    }),
  }),
});

export const { useLoginMutation, useLogoutMutation, useMeQuery, useChangePasswordMutation } = authApi;
