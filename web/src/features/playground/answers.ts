// The state of one Generate run: each side's text so far and where it stands.
import type { Generated, Side } from './generate';

/** `cut`: the answer ended at the max_new_tokens limit (finish_reason "length"). */
export type AnswerState = 'waiting' | 'streaming' | 'done' | 'cut' | 'stopped' | 'incomplete';

export interface Answer {
  text: string;
  state: AnswerState;
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
        model: { text: action.result.answer, state: ended(action.result.finish_reason) },
        base: answers.base && { text: action.result.base_answer ?? answers.base.text, state: ended(action.result.base_finish_reason) },
      };
    case 'end': {
      const finish = (answer: Answer): Answer => (answer.state === 'done' || answer.state === 'cut' ? answer : { ...answer, state: action.state });
      return { model: finish(answers.model), base: answers.base && finish(answers.base) };
    }
  }
}
