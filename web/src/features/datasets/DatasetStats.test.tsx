import { cleanup, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { AppProviders } from '../../app/AppProviders';
import { makeStore } from '../../app/store';
import { pirateDataset } from '../../test/registryFixtures';
import { TestStyles } from '../../test/render';
import { DatasetStats } from './DatasetStats';
import type { Dataset } from './uploadDataset';

const corpus: Dataset = {
  ...pirateDataset,
  format: 'text',
  source_format: 'txt',
  report: {
    ...pirateDataset.report,
    stats: { ...(pirateDataset.report.stats as object), is_chat: false, format: 'text' },
    max_length: 1024,
    truncated: 0,
    kind: 'corpus',
    blocks: 203,
    warnings: [
      {
        code: 'ignored',
        message: "ignored fields: 'source' in 30 record(s); training reads only 'text'",
        params: {},
        detail: { code: 'data.ignored_fields', params: { fields: [{ code: 'data.in_records', params: { field: 'source', count: 30 } }], known: "'text'" } },
      },
    ],
    notes: ['read as txt', 'split into 2 documents separated by blank lines'],
    note_details: [
      { code: 'data.read_as', params: { source: 'txt' } },
      { code: 'data.split_blank', params: { documents: 2 } },
    ],
  },
};

function renderStats(dataset: Dataset, language: 'en' | 'zh') {
  const store = makeStore({ preferences: { language, theme: 'light' } });
  render(
    <TestStyles>
      <AppProviders store={store}>
        <DatasetStats dataset={dataset} />
      </AppProviders>
    </TestStyles>,
  );
}

describe('DatasetStats', () => {
  it('names a corpus, counts its blocks and lists what training ignores', async () => {
    renderStats(corpus, 'en');
    expect(await screen.findByText('Text corpus (continued pre-training)')).toBeInTheDocument();
    expect(screen.getByText('Blocks of 1,024 tokens')).toBeInTheDocument();
    expect(screen.getByText('203')).toBeInTheDocument();
    expect(screen.queryByText(/Longer than/)).toBeNull(); // a corpus is never truncated
    expect(screen.getByText('Ignored by training')).toBeInTheDocument();
    expect(screen.getByText(/ignored fields: 'source' in 30 record/)).toBeInTheDocument();
  });

  it('words the data check\'s notes and ignored fields in Chinese', async () => {
    renderStats(corpus, 'zh');
    expect(await screen.findByText('按空行分成 2 篇文档')).toBeInTheDocument();
    expect(screen.getByText("被忽略的字段：30 条记录含 'source'；训练只读取 'text'")).toBeInTheDocument();
    expect(screen.queryByText(/separated by blank lines|ignored fields/)).toBeNull();
  });

  it('shows the kind in Chinese', async () => {
    renderStats({ ...pirateDataset, report: { ...pirateDataset.report, kind: 'chat' } }, 'zh');
    expect(await screen.findByText('对话（指令与回答）')).toBeInTheDocument();
    expect(screen.getByText('类型')).toBeInTheDocument();
  });

  it('names preference pairs and labelled answers, in English and Chinese', async () => {
    renderStats({ ...pirateDataset, report: { ...pirateDataset.report, kind: 'preference' } }, 'zh');
    expect(await screen.findByText('偏好对（被选中与被拒绝的回答）')).toBeInTheDocument();
    cleanup();
    renderStats({ ...pirateDataset, report: { ...pirateDataset.report, kind: 'kto' } }, 'en');
    expect(await screen.findByText('Labelled answers (good or bad, for KTO)')).toBeInTheDocument();
  });
});
