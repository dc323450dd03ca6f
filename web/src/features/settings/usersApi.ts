import { api } from '../../api/api';
import type { Body, Ok, Query, UserPublic } from '../../api/types';

type UserPatch = Body<'/api/v1/users/{user_id}', 'patch'>;

export const usersApi = api.injectEndpoints({
  endpoints: (build) => ({
    listUsers: build.query<Ok<'/api/v1/users', 'get'>, Query<'/api/v1/users', 'get'>>({
      query: (params) => ({ url: '/users', params }),
      providesTags: ['User'],
    }),
    createUser: build.mutation<Ok<'/api/v1/users', 'post'>, Body<'/api/v1/users', 'post'>>({
      query: (body) => ({ url: '/users', method: 'POST', body }),
      invalidatesTags: ['User', 'Audit'],
    }),
    updateUser: build.mutation<Ok<'/api/v1/users/{user_id}', 'patch'>, { id: UserPublic['id']; patch: UserPatch }>({
      query: ({ id, patch }) => ({ url: `/users/${id}`, method: 'PATCH', body: patch }),
      invalidatesTags: ['User', 'Audit', 'Me'],
    }),
    listAudit: build.query<Ok<'/api/v1/audit', 'get'>, Query<'/api/v1/audit', 'get'>>({
      query: (params) => ({ url: '/audit', params }),
      providesTags: ['Audit'],
    }),
  }),
});

export const { useListUsersQuery, useCreateUserMutation, useUpdateUserMutation, useListAuditQuery } = usersApi;
