import { api } from './api';
import type { Body, Ok } from './types';

// An evaluation is a job of kind `evaluation`: its status, events and stream come from jobsApi.
export const evaluationsApi = api.injectEndpoints({
  endpoints: (build) => ({
    createEvaluation: build.mutation<Ok<'/api/v1/evaluations', 'post'>, Body<'/api/v1/evaluations', 'post'>>({
      query: (body) => ({ url: '/evaluations', method: 'POST', body }),
      invalidatesTags: ['Job', 'Dashboard'],
    }),
    getEvaluation: build.query<Ok<'/api/v1/evaluations/{job_id}', 'get'>, number>({
      query: (id) => `/evaluations/${id}`,
      providesTags: (_result, _error, id) => [{ type: 'Job', id }],
    }),
  }),
});

export const { useCreateEvaluationMutation, useGetEvaluationQuery } = evaluationsApi;
