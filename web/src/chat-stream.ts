/**
 * `POST /api/chat` read with fetch and eventsource-parser (EventSource cannot POST or send a bearer token). Each frame
 * goes to `onFrame`; failures before the stream (validation, plan limit) throw `ApiError` from the JSON body.
 */
import { createParser } from 'eventsource-parser';
import { authHeaders, failure } from './api.ts';

/** An AION-dialect frame (`events.md`). */
export type ChatFrame =
  | { type: 'token'; text: string }
  | { type: 'thought'; text: string }
  | { type: 'thought_delta'; text: string }
  | { type: 'tool_call'; id: string; name: string; args: unknown }
  | { type: 'tool_result'; id: string; name: string; result: unknown; ok: boolean; duration?: number }
  | { type: 'approval'; id: string; name: string; args: unknown; message: string }
  | { type: 'progress'; call_id: string; percent: number; label?: string }
  | { type: 'usage'; input_tokens: number; output_tokens: number }
  | { type: 'done'; full_response: string; cancelled?: boolean; approval_pending?: boolean; response_blocks?: Array<{ type: string; url?: string; content?: string; format?: string }> }
  | { type: 'error'; message: string; code?: string };

export interface ChatRequest {
  message: string;
  /** Images as data URLs (`events.md`: `images` of the AION dialect). */
  images?: string[];
  conversationId?: string;
  provider?: string;
  model?: string;
}

/** Stream one turn; resolves when the stream ends (or was aborted through `signal`). */
export async function streamChat(body: ChatRequest, signal: AbortSignal, onFrame: (f: ChatFrame) => void): Promise<void> {
  const res = await fetch('/api/chat', {
    method: 'POST',
    headers: authHeaders({ 'content-type': 'application/json', accept: 'text/event-stream' }),
    body: JSON.stringify(body),
    signal,
  });
  if (!res.ok || !res.headers.get('content-type')?.includes('text/event-stream')) throw await failure(res);
  const parser = createParser({
    onEvent(e) {
      try {
        const data = JSON.parse(e.data);
        onFrame({ ...data, type: data.type ?? e.event });
      } catch {
        /* a malformed frame is skipped, the stream goes on */
      }
    },
  });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(value);
    }
  } catch (error) {
    if ((error as Error)?.name !== 'AbortError') throw error;
  }
}
