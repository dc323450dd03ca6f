// The state of one Generate run: each side's text so far and where it stands.
import type { Generated, Side } from './generate';

/** `cut`: the answer ended at the max_new_tokens limit (finish_reason "length"). */
export type AnswerState = 'waiting' | 'streaming' | 'done' | 'cut' | 'stopped' | 'incomplete';

/** A function call the model made (OpenAI's shape), cut out of its answer. */
export interface ToolCall {
  name: string;
  arguments: string;
}

export interface Answer {
  text: string;
  state: AnswerState;
  /** With tools offered: the calls the model made. */
  calls?: ToolCall[];
}

export interface Answers {
  model: Answer;
  /** The base model's answer, when an adapter is compared with it. */
  base: Answer | null;
}

export type AnswersAction =
  | { type: 'start'; compare: boolean }
  | { type: 'reset' }
  | { type: 'token'; side: Side; text: string }
  | { type: 'done'; result: Generated }
  | { type: 'end'; state: 'stopped' | 'incomplete' };

const waiting: Answer = { text: '', state: 'waiting' };

const ended = (reason: string | null | undefined): AnswerState => (reason === 'length' ? 'cut' : 'done');

type RawCalls = Generated['tool_calls'];

/** The server's `tool_calls` ({function: {name, arguments}}) as name and arguments. */
function callsOf(raw: RawCalls): ToolCall[] | undefined {
  if (!raw?.length) return undefined;
  return raw.map((call) => {
    const fn = (call as { function?: { name?: unknown; arguments?: unknown } }).function ?? {};
    return { name: typeof fn.name === 'string' ? fn.name : '?', arguments: typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {}) };
  });
}

export function answersReducer(answers: Answers | null, action: AnswersAction): Answers | null {
  if (action.type === 'start') return { model: { text: '', state: 'streaming' }, base: action.compare ? waiting : null };
  if (action.type === 'reset' || !answers) return null;
  switch (action.type) {
    case 'token': {
      const side = answers[action.side] ?? waiting;
      const next = { text: side.text + action.text, state: 'streaming' as const };
      // The server answers with the adapter first; a base token means the adapter's answer ended.
      if (action.side === 'base') return { model: { ...answers.model, state: 'done' }, base: next };
      return { ...answers, model: next };
    }
    case 'done':
      return {
        model: { text: action.result.answer, state: ended(action.result.finish_reason), calls: callsOf(action.result.tool_calls) },
        base: answers.base && {
          text: action.result.base_answer ?? answers.base.text,
          state: ended(action.result.base_finish_reason),
          calls: callsOf(action.result.base_tool_calls),
        },
      };
    case 'end': {
      const finish = (answer: Answer): Answer => (answer.state === 'done' || answer.state === 'cut' ? answer : { ...answer, state: action.state });
      return { model: finish(answers.model), base: answers.base && finish(answers.base) };
    }
  }
}
