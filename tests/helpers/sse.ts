/** Read a whole SSE response into frames, with the parser a real client would use (eventsource-parser). */
import { createParser } from 'eventsource-parser';

export interface SseEvent {
  event: string;
  data: any;
}

/** POST and collect every frame until the stream ends. `onEvent` may react (approve, abort) while it runs. */
export async function readSse(
  url: string,
  opts: { token?: string; body: unknown; signal?: AbortSignal; onEvent?: (e: SseEvent, all: SseEvent[]) => void | Promise<void> },
): Promise<{ status: number; headers: Headers; events: SseEvent[]; json?: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
    body: JSON.stringify(opts.body),
    signal: opts.signal,
  });
  if (!res.headers.get('content-type')?.includes('text/event-stream')) {
    const text = await res.text();
    return { status: res.status, headers: res.headers, events: [], json: text ? JSON.parse(text) : undefined };
  }
  const events: SseEvent[] = [];
  const pending: Array<Promise<void> | void> = [];
  const parser = createParser({
    onEvent: (e) => {
      const ev = { event: e.event ?? 'message', data: JSON.parse(e.data) };
      events.push(ev);
      pending.push(opts.onEvent?.(ev, events));
    },
  });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body as any as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
  } catch (error: any) {
    if (error?.name !== 'AbortError') throw error;
  }
  await Promise.all(pending);
  return { status: res.status, headers: res.headers, events };
}
