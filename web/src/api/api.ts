import { createApi } from '@reduxjs/toolkit/query/react';
import { baseQueryWithReauth } from './baseQuery';

/** The single RTK Query API; features add their endpoints with `api.injectEndpoints`. */
export const api = createApi({
  reducerPath: 'api',
  baseQuery: baseQueryWithReauth,
  tagTypes: ['Me', 'User', 'Audit', 'Token', 'Dataset', 'Model', 'Job', 'Dashboard', 'Export'],
  endpoints: () => ({}),
});
