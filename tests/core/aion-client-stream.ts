/**
 * How the original AION web client (`static/js/aion.js`, `send()`) reads `POST /api/chat`: it splits the body at
 * newlines and parses every line that starts with `data: `, switching on the JSON's `type`. Event lines are ignored.
 */
export interface ClientFrame {
  type: string;
  [field: string]: any;
}

export async function clientChat(url: string, token: string, body: Record<string, unknown>): Promise<{ status: number; frames: ClientFrame[]; json?: any }> {
  const res = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (!res.headers.get('content-type')?.includes('text/event-stream')) return { status: res.status, frames: [], json: await res.json() };
  const frames: ClientFrame[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as any as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) if (line.startsWith('data: ')) frames.push(JSON.parse(line.slice(6)));
  }
  return { status: res.status, frames };
}

/** Poll until `fn` is truthy (a background turn finishing); fails after `ms`. Not a timing assertion: a deadline. */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
