import { api } from './api';
import type { Body, Ok } from './types';

// Export files are downloaded with `downloadPath` (features/models): a blob with the token.
export const exportsApi = api.injectEndpoints({
  endpoints: (build) => ({
    listExports: build.query<Ok<'/api/v1/models/{model_id}/exports', 'get'>, string>({
      query: (modelId) => `/models/${encodeURIComponent(modelId)}/exports`,
      providesTags: (_result, _error, modelId) => [{ type: 'Export', id: modelId }],
    }),
    createExport: build.mutation<
      Ok<'/api/v1/models/{model_id}/exports', 'post'>,
      { modelId: string; body: Body<'/api/v1/models/{model_id}/exports', 'post'> }
    >({
      query: ({ modelId, body }) => ({ url: `/models/${encodeURIComponent(modelId)}/exports`, method: 'POST', body }),
      invalidatesTags: ['Job', 'Dashboard'],
    }),
    deleteExport: build.mutation<void, { id: string; modelId: string }>({
      query: ({ id }) => ({ url: `/exports/${encodeURIComponent(id)}`, method: 'DELETE' }),
      invalidatesTags: (_result, _error, { modelId }) => [{ type: 'Export', id: modelId }],
    }),
  }),
});

export const { useListExportsQuery, useCreateExportMutation, useDeleteExportMutation } = exportsApi;
