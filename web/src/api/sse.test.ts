import { describe, expect, it } from 'vitest';
import { parseSse, type SseMessage } from './sse';

function bodyOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function collect(chunks: string[]): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  for await (const message of parseSse(bodyOf(chunks))) out.push(message);
  return out;
}

describe('parseSse', () => {
  it('reads events split across chunks, with ids, names and multi-line data', async () => {
    const messages = await collect(['id: 1\nevent: met', 'ric\ndata: {"step":1}\n\n: keep-alive\n\n', 'data: a\ndata: b\r\n\r\n']);
    expect(messages).toEqual([
      { id: '1', event: 'metric', data: '{"step":1}' },
      { id: '1', event: 'message', data: 'a\nb' },
    ]);
  });

  it('drops a message without data and an unterminated tail', async () => {
    expect(await collect(['event: end\n\n', 'data: half'])).toEqual([]);
  });
});
