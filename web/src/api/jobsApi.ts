import { api } from './api';
import type { Body, Ok, Query } from './types';

// Live progress comes from the job's event stream (see `./sse`); these are the snapshots.
export const jobsApi = api.injectEndpoints({
  endpoints: (build) => ({
    planJob: build.mutation<Ok<'/api/v1/intent/plan', 'post'>, Body<'/api/v1/intent/plan', 'post'>>({
      query: (body) => ({ url: '/intent/plan', method: 'POST', body }),
    }),
    createJob: build.mutation<Ok<'/api/v1/jobs', 'post'>, Body<'/api/v1/jobs', 'post'>>({
      query: (body) => ({ url: '/jobs', method: 'POST', body }),
      invalidatesTags: ['Job', 'Dashboard'],
    }),
    listJobs: build.query<Ok<'/api/v1/jobs', 'get'>, Query<'/api/v1/jobs', 'get'> | void>({
      query: (params) => ({ url: '/jobs', params: params ?? undefined }),
      providesTags: ['Job'],
    }),
    getJob: build.query<Ok<'/api/v1/jobs/{job_id}', 'get'>, number>({
      query: (id) => `/jobs/${id}`,
      providesTags: (_result, _error, id) => [{ type: 'Job', id }],
    }),
    jobEvents: build.query<Ok<'/api/v1/jobs/{job_id}/events', 'get'>, number>({
      query: (id) => `/jobs/${id}/events`,
      providesTags: (_result, _error, id) => [{ type: 'Job', id }],
    }),
    jobMetrics: build.query<Ok<'/api/v1/jobs/{job_id}/metrics', 'get'>, number>({
      query: (id) => `/jobs/${id}/metrics`,
      providesTags: (_result, _error, id) => [{ type: 'Job', id }],
    }),
    jobCheckpoints: build.query<Ok<'/api/v1/jobs/{job_id}/checkpoints', 'get'>, number>({
      query: (id) => `/jobs/${id}/checkpoints`,
      providesTags: (_result, _error, id) => [{ type: 'Job', id }],
    }),
    jobEvaluation: build.query<Ok<'/api/v1/jobs/{job_id}/evaluation', 'get'>, number>({
      query: (id) => `/jobs/${id}/evaluation`,
      providesTags: (_result, _error, id) => [{ type: 'Job', id }],
    }),
    cancelJob: build.mutation<Ok<'/api/v1/jobs/{job_id}/cancel', 'post'>, number>({
      query: (id) => ({ url: `/jobs/${id}/cancel`, method: 'POST' }),
      invalidatesTags: (_result, _error, id) => ['Job', { type: 'Job', id }, 'Dashboard'],
    }),
    retryJob: build.mutation<Ok<'/api/v1/jobs/{job_id}/retry', 'post'>, number>({
      query: (id) => ({ url: `/jobs/${id}/retry`, method: 'POST' }),
      invalidatesTags: (_result, _error, id) => ['Job', { type: 'Job', id }, 'Dashboard'],
    }),
  }),
});

export const {
  usePlanJobMutation,
  useCreateJobMutation,
  useListJobsQuery,
  useGetJobQuery,
  useJobEventsQuery,
  useJobMetricsQuery,
  useJobCheckpointsQuery,
  useJobEvaluationQuery,
  useCancelJobMutation,
  useRetryJobMutation,
} = jobsApi;
