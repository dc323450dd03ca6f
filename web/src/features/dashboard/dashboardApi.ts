import { api } from '../../api/api';
import type { Ok } from '../../api/types';

export type Dashboard = Ok<'/api/v1/dashboard', 'get'>;

export const dashboardApi = api.injectEndpoints({
  endpoints: (build) => ({
    getDashboard: build.query<Dashboard, void>({
      query: () => '/dashboard',
      providesTags: ['Dashboard'],
    }),
  }),
});

export const { useGetDashboardQuery } = dashboardApi;
