import type { TablePaginationConfig } from 'antd';
import { useState } from 'react';

/** Server-side paging state for an antd Table over a `{data, count}` endpoint (`offset`/`limit`). */
export function usePaging(pageSize = 20) {
  const [page, setPage] = useState({ current: 1, pageSize });
  const query = { offset: (page.current - 1) * page.pageSize, limit: page.pageSize };
  const pagination = (count: number | undefined): TablePaginationConfig => ({
    current: page.current,
    pageSize: page.pageSize,
    total: count ?? 0,
    showSizeChanger: true,
    onChange: (current, size) => setPage({ current: size === page.pageSize ? current : 1, pageSize: size }),
  });
  return { query, pagination };
}
