import { api } from './api';
import type { Ok, Query } from './types';

// Uploads go through `uploadDataset` in features/datasets (XMLHttpRequest, for a progress bar).
export const datasetsApi = api.injectEndpoints({
  endpoints: (build) => ({
    listDatasets: build.query<Ok<'/api/v1/datasets', 'get'>, Query<'/api/v1/datasets', 'get'> | void>({
      query: (params) => ({ url: '/datasets', params: params ?? undefined }),
      providesTags: ['Dataset'],
    }),
    getDataset: build.query<Ok<'/api/v1/datasets/{dataset_id}', 'get'>, string>({
      query: (id) => `/datasets/${encodeURIComponent(id)}`,
      providesTags: (_result, _error, id) => [{ type: 'Dataset', id }],
    }),
    previewDataset: build.query<
      Ok<'/api/v1/datasets/{dataset_id}/preview', 'get'>,
      { id: string } & Query<'/api/v1/datasets/{dataset_id}/preview', 'get'>
    >({
      query: ({ id, ...params }) => ({ url: `/datasets/${encodeURIComponent(id)}/preview`, params }),
      providesTags: (_result, _error, { id }) => [{ type: 'Dataset', id }],
    }),
    deleteDataset: build.mutation<void, string>({
      query: (id) => ({ url: `/datasets/${encodeURIComponent(id)}`, method: 'DELETE' }),
      invalidatesTags: ['Dataset', 'Dashboard'],
    }),
  }),
});

export const { useListDatasetsQuery, useGetDatasetQuery, usePreviewDatasetQuery, useDeleteDatasetMutation } =
  datasetsApi;
