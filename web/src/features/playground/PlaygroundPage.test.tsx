import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { API, engineer } from '../../test/fixtures';
import { adapter, baseModel, page } from '../../test/models';
import { renderApp, signedIn } from '../../test/render';
import { server } from '../../test/server';

const base = baseModel();
const pirate = adapter();
const encoder = new TextEncoder();
const frame = (event: string, data: object) => encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

/** An event-stream body the test writes to frame by frame, as the server's generator would. */
function eventStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    start: (c) => void (controller = c),
    cancel: () => void (cancelled = true),
  });
  return {
    response: () => new HttpResponse(body, { headers: { 'Content-Type': 'text/event-stream' } }),
    send: (event: string, data: object) => controller.enqueue(frame(event, data)),
    close: () => controller.close(),
    get cancelled() {
      return cancelled;
    },
  };
}

function api(models = [base, pirate]) {
  return [http.get(`${API}/auth/me`, () => HttpResponse.json(engineer)), http.get(`${API}/models`, () => HttpResponse.json(page(models)))];
}

const answer = (name: string) => screen.getByRole('region', { name });

describe('PlaygroundPage', () => {
  it('streams the adapter and base answers token by token into their own cards', async () => {
    const stream = eventStream();
    let sent: unknown = null;
    server.use(
      ...api(),
      http.post(`${API}/playground/generate`, async ({ request }) => {
        sent = await request.json();
        expect(request.headers.get('Authorization')).toBe('Bearer access-1');
        return stream.response();
      }),
    );
    const { user } = renderApp('/playground?model=mdl_pirate2', signedIn());

    expect(await screen.findByTitle('pirate v2')).toBeInTheDocument(); // preselected from ?model=
    await user.type(screen.getByLabelText('Message'), 'Say hello');
    await user.click(screen.getByRole('button', { name: 'Generate' }));

    await waitFor(() => expect(sent).not.toBeNull());
    expect(sent).toEqual({
      model_id: 'mdl_pirate2',
      messages: [{ role: 'user', content: 'Say hello' }],
      max_new_tokens: 256,
      temperature: 0,
      compare_base: true,
      stream: true,
    });
    stream.send('token', { which: 'model', text: 'Arr' });
    expect(await within(answer('Fine-tuned answer')).findByText('Arr')).toBeInTheDocument();
    stream.send('token', { which: 'model', text: ', matey' });
    expect(await within(answer('Fine-tuned answer')).findByText('Arr, matey')).toBeInTheDocument();
    expect(within(answer('Base model answer')).getByText('Waiting for the fine-tuned answer to finish…')).toBeInTheDocument();

    stream.send('token', { which: 'base', text: 'Hello' });
    stream.send('token', { which: 'base', text: ' there' });
    expect(await within(answer('Base model answer')).findByText('Hello there')).toBeInTheDocument();
    expect(within(answer('Fine-tuned answer')).getByText('Done')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Stop' })).toBeEnabled();

    stream.send('done', { model_id: 'mdl_pirate2', answer: 'Arr, matey', base_answer: 'Hello there' });
    stream.close();
    expect(await within(answer('Base model answer')).findByText('Done')).toBeInTheDocument();
    expect(within(answer('Base model answer')).getByText('Base model · Qwen2.5-0.5B-Instruct v1')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole('button', { name: 'Stop' })).toBeDisabled());
  });

  it('stops a running answer', async () => {
    const stream = eventStream();
    let aborted = false;
    server.use(
      ...api(),
      http.post(`${API}/playground/generate`, ({ request }) => {
        request.signal.addEventListener('abort', () => void (aborted = true));
        return stream.response();
      }),
    );
    const { user } = renderApp('/playground?model=mdl_pirate2', signedIn());

    await user.type(await screen.findByLabelText('Message'), 'Tell a long story');
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    stream.send('token', { which: 'model', text: 'Once upon a time' });
    expect(await within(answer('Fine-tuned answer')).findByText('Once upon a time')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Stop' }));
    expect(await within(answer('Fine-tuned answer')).findByText('Stopped')).toBeInTheDocument();
    expect(within(answer('Base model answer')).getByText('Stopped')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole('button', { name: 'Stop' })).toBeDisabled());
    // (jsdom never ends antd's fade-out of the loading icon, so the name may still start with it.)
    expect(screen.getByRole('button', { name: /Generate/ })).toBeEnabled();
    await waitFor(() => expect(aborted || stream.cancelled).toBe(true));
  });

  it('puts a validation error on the field of the message it names', async () => {
    server.use(
      ...api(),
      http.post(`${API}/playground/generate`, () =>
        HttpResponse.json(
          {
            error: {
              code: 'validation_error',
              message: 'messages.1.content must have at most 32000 characters',
              param: 'messages.1.content',
              errors: [{ param: 'messages.1.content', message: 'messages.1.content must have at most 32000 characters' }],
            },
          },
          { status: 422 },
        ),
      ),
    );
    const { user } = renderApp('/playground?model=mdl_base1', signedIn());

    await user.type(await screen.findByLabelText('System prompt'), 'Be brief.');
    await user.type(screen.getByLabelText('Message'), 'Hi');
    await user.click(screen.getByRole('button', { name: 'Generate' }));

    const item = screen.getByLabelText('Message').closest('.ant-form-item') as HTMLElement;
    expect(await within(item).findByText('messages.1.content must have at most 32000 characters')).toBeInTheDocument();
    // A base model answers alone, in one card.
    expect(screen.queryByRole('region', { name: 'Fine-tuned answer' })).toBeNull();
    expect(within(answer('Base model answer')).getByText('The answer appears here.')).toBeInTheDocument();
  });

  it('warns before trying an adapter whose run forgot', async () => {
    const forgot = adapter({ outcome: 'forgot', outcome_message: 'Lost: the forgetting score stayed over 0.1.' });
    server.use(...api([base, forgot]));
    renderApp('/playground?model=mdl_pirate2', signedIn());
    expect(await screen.findByTitle('pirate v2')).toBeInTheDocument();
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('This adapter learned, but forgot some of what the base model knew')).toBeInTheDocument();
    expect(within(alert).getByText('Lost: the forgetting score stayed over 0.1.')).toBeInTheDocument();
  });

  it('says what to do when no model is registered', async () => {
    server.use(...api([]));
    renderApp('/playground', signedIn());
    expect(await screen.findByText('Nothing to try yet')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Go to models' })).toBeInTheDocument();
  });

  it('renders Markdown without the model\'s HTML, shows raw text on request, and says when the length limit cut the answer', async () => {
    const stream = eventStream();
    server.use(...api([base]), http.post(`${API}/playground/generate`, () => stream.response()));
    const { user } = renderApp('/playground?model=mdl_base1', signedIn());
    await user.type(await screen.findByLabelText('Message'), 'Tell me');
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    const text = 'Arr, **bold** <b id="html">not html</b> <img src=x onerror="alert(1)">';
    stream.send('token', { which: 'model', text });
    stream.send('done', { model_id: 'mdl_base1', answer: text, base_answer: null, finish_reason: 'length', base_finish_reason: null });
    stream.close();

    const card = answer('Base model answer');
    expect(await within(card).findByText('Stopped at the length limit')).toBeInTheDocument();
    expect(within(card).getByText(/the answer reached Max new tokens and was cut/)).toBeInTheDocument();
    expect(within(card).getByText('bold').tagName).toBe('STRONG');
    expect(card.querySelector('#html')).toBeNull();
    expect(card.querySelector('img')).toBeNull();

    await user.click(screen.getByRole('checkbox', { name: 'Show raw text' }));
    expect(within(card).getByText(/Arr, \*\*bold\*\* <b id="html">/)).toBeInTheDocument();
  });

  it('offers tools as JSON, refuses a malformed array before sending, and shows the calls the model made', async () => {
    const stream = eventStream();
    const sent: unknown[] = [];
    server.use(
      ...api([base]),
      http.post(`${API}/playground/generate`, async ({ request }) => {
        sent.push(await request.json());
        return stream.response();
      }),
    );
    const { user } = renderApp('/playground?model=mdl_base1', signedIn());
    await user.type(await screen.findByLabelText('Message'), 'Weather in Paris?');
    const tools = screen.getByLabelText('Tools (JSON, optional)');
    const item = tools.closest('.ant-form-item') as HTMLElement;

    await user.type(tools, '{{"type": "function"}');
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    expect(await within(item).findByText(/Give a JSON array of tools/)).toBeInTheDocument();
    expect(sent).toEqual([]);

    const weather = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }];
    await user.clear(tools);
    await user.click(tools);
    await user.paste(JSON.stringify(weather));
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    await waitFor(() => expect(sent).toHaveLength(1));
    expect((sent[0] as { tools: unknown }).tools).toEqual(weather);

    const call = { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } };
    stream.send('done', { model_id: 'mdl_base1', answer: '', base_answer: null, finish_reason: 'stop', tool_calls: [call] });
    stream.close();
    const card = answer('Base model answer');
    const calls = await within(card).findByRole('list', { name: 'Tool calls' });
    expect(within(calls).getByRole('listitem')).toHaveTextContent('get_weather({"city": "Paris"})');
  });
});
