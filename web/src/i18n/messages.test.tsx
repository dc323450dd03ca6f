import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { errorText, problemText } from '../api/errors';
import { AppProviders } from '../app/AppProviders';
import { makeStore } from '../app/store';
import { EventsTimeline } from '../features/jobs/detail/EventsTimeline';
import { makeEvent } from '../features/jobs/testData';
import { PlanSettings } from '../features/jobs/wizard/PlanSettings';
import type { Plan } from '../features/jobs/wizard/state';
import enginePlan from '../test/enginePlan.json';
import { TestStyles } from '../test/render';
import glossary from './glossary.json';
import i18n from './index';
import { renderMessage } from './messages';
import en from './messages/en.json';
import zh from './messages/zh.json';

// A plan the real intent engine resolved (tests/intent/make_web_plan_fixture.py writes it).
const plan = enginePlan as unknown as Plan;
const CJK = /[\u4e00-\u9fff]/;

function renderIn(language: 'en' | 'zh', ui: React.ReactNode) {
  const store = makeStore({ preferences: { language, theme: 'light' } });
  return render(
    <TestStyles>
      <AppProviders store={store}>{ui}</AppProviders>
    </TestStyles>,
  );
}

/** The reason column of every row of a settings table. */
function reasons(table: HTMLElement): string[] {
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map((row) => row.querySelectorAll('td')[2]?.textContent ?? '');
}

describe('coded messages', () => {
  it('renders a reason with nested messages in Chinese, and falls back for an unknown code', () => {
    const reason = { code: 'intent.override.changed', params: { value: '4', reason: { code: 'intent.seed', params: {} } } };
    expect(renderMessage(reason, 'zh')).toBe('由你设置（原为 4，因为固定不变，重跑会得到相同的适配器）');
    expect(renderMessage(reason, 'en')).toBe('set by you (was 4 because fixed so a rerun gives the same adapter)');
    expect(renderMessage({ code: 'no.such.code', params: {} }, 'zh')).toBeNull();
  });

  it('has every code in both languages, with the glossary terms', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    const texts = Object.values(zh).map((text) => text.replace(/\{[^}]*\}/g, ''));
    const offending = glossary.terms.flatMap((term) => term.avoid.flatMap((word) => texts.filter((text) => text.includes(word))));
    expect(offending).toEqual([]);
  });

  it('shows every plan row, the level first, with its reason in Chinese', async () => {
    renderIn('zh', <PlanSettings plan={plan} overridden={new Set(['lora.r', 'train.learning_rate'])} />);
    await userEvent.click(screen.getByText(/其他全部设置/));
    const rows = [...reasons(screen.getByRole('table', { name: '计划设置' })), ...reasons(await screen.findByRole('table', { name: '其他计划设置' }))];
    expect(rows).toHaveLength(Object.keys(plan.reasons).length + 1);
    for (const text of rows) {
      expect(text).toMatch(CJK);
      expect(text).not.toContain('{');
    }
    expect(rows[0]).toContain('描述中提到了 "pirate", "语气"');
    expect(rows.join('\n')).toContain('由你设置（原为');
  });

  it('keeps the English reasons the API sent in English', () => {
    renderIn('en', <PlanSettings plan={plan} overridden={new Set()} />);
    const rows = reasons(screen.getByRole('table', { name: 'Planned settings' }));
    expect(rows[0]).toBe(plan.level_reason);
    expect(rows).toContain(plan.reasons['lora.target_modules']);
  });

  it('shows coded job events in Chinese and plain ones as they are', async () => {
    const events = [
      makeEvent(1, 'training started', { code: 'train.started', params: {} }),
      makeEvent(2, 'forgetting: CF score 0.330 is over the warning threshold 0.15', {
        level: 'warn',
        code: 'train.forgetting',
        params: { score: '0.330', threshold: 0.15 },
      }),
      makeEvent(3, 'a line the worker could not parse'),
    ];
    renderIn('zh', <EventsTimeline events={events} />);
    expect(await screen.findAllByText('遗忘：遗忘分数 0.330 超过了警告阈值 0.15')).not.toHaveLength(0);
    expect(screen.getByText('训练已开始')).toBeInTheDocument();
    expect(screen.getByText('a line the worker could not parse')).toBeInTheDocument();
  });

  it('words known API error codes in Chinese and keeps the English message for unknown ones', () => {
    const t = i18n.getFixedT('zh');
    const error = { status: 404, code: 'not_found', message: 'no job with id 9', param: 'id', errors: [] } as const;
    expect(errorText({ ...error, errors: [] }, t, 'zh')).toBe('未找到，或你无权访问。');
    expect(errorText({ ...error, errors: [] }, i18n.getFixedT('en'), 'en')).toBe('no job with id 9');
    expect(errorText({ ...error, code: 'brand_new', errors: [] }, t, 'zh')).toBe('no job with id 9');
  });

  it('words a coded plan refusal and each override problem in the reader\'s language', () => {
    const unknown = { code: 'override.unknown.guess', params: { guess: 'lora.r' } };
    const refused = {
      status: 422,
      code: 'invalid_override',
      message: '1 problem in the overrides: lora.rank: unknown setting; did you mean lora.r?',
      param: 'overrides.lora.rank',
      detail: { code: 'override.problems.one', params: { problems: { join: 'semicolon', items: [{ code: 'override.problem', params: { param: 'lora.rank', problem: unknown } }] } } },
      errors: [{ param: 'overrides.lora.rank', message: 'unknown setting; did you mean lora.r?', detail: unknown }],
    } as const;
    expect(errorText({ ...refused, errors: [...refused.errors] }, i18n.getFixedT('zh'), 'zh')).toBe('覆盖设置中有 1 个问题：lora.rank：未知设置；你是指 lora.r 吗？');
    expect(errorText({ ...refused, errors: [...refused.errors] }, i18n.getFixedT('en'), 'en')).toBe(refused.message);
    expect(problemText(refused.errors[0], 'zh')).toBe('未知设置；你是指 lora.r 吗？');
    expect(problemText({ param: null, message: 'plain' }, 'zh')).toBe('plain');
  });
});
