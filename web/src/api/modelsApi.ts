import { api } from './api';
import type { Body, Ok, Query } from './types';

// Adapter zips are downloaded with `downloadFile` (features/models): a blob with the token.
export const modelsApi = api.injectEndpoints({
  endpoints: (build) => ({
    listModels: build.query<Ok<'/api/v1/models', 'get'>, Query<'/api/v1/models', 'get'> | void>({
      query: (params) => ({ url: '/models', params: params ?? undefined }),
      providesTags: ['Model'],
    }),
    getModel: build.query<Ok<'/api/v1/models/{model_id}', 'get'>, string>({
      query: (id) => `/models/${encodeURIComponent(id)}`,
      providesTags: (_result, _error, id) => [{ type: 'Model', id }],
    }),
    getServing: build.query<Ok<'/api/v1/models/{model_id}/serving', 'get'>, string>({
      query: (id) => `/models/${encodeURIComponent(id)}/serving`,
      providesTags: (_result, _error, id) => [{ type: 'Model', id }],
    }),
    registerModel: build.mutation<Ok<'/api/v1/models', 'post'>, Body<'/api/v1/models', 'post'>>({
      query: (body) => ({ url: '/models', method: 'POST', body }),
      invalidatesTags: ['Model', 'Dashboard'],
    }),
    // Multipart (file, name, base_model_id): the zip is scanned before the reply; 422 lists why.
    importAdapter: build.mutation<Ok<'/api/v1/models/import', 'post'>, FormData>({
      query: (body) => ({ url: '/models/import', method: 'POST', body }),
      invalidatesTags: ['Model', 'Dashboard'],
    }),
    // An imported adapter's probes again: a new probe job; the adapter is `probing` until it ends.
    reprobeModel: build.mutation<Ok<'/api/v1/models/{model_id}/reprobe', 'post'>, string>({
      query: (id) => ({ url: `/models/${encodeURIComponent(id)}/reprobe`, method: 'POST' }),
      invalidatesTags: ['Model', 'Dashboard'],
    }),
    deleteModel: build.mutation<void, string>({
      query: (id) => ({ url: `/models/${encodeURIComponent(id)}`, method: 'DELETE' }),
      invalidatesTags: ['Model', 'Dashboard'],
    }),
  }),
});

export const {
  useListModelsQuery,
  useGetModelQuery,
  useGetServingQuery,
  useRegisterModelMutation,
  useImportAdapterMutation,
  useReprobeModelMutation,
  useDeleteModelMutation,
} = modelsApi;
