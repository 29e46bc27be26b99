/**
 * Pipe an agent run into an SSE response in one dialect. The first event is awaited before the stream opens, so a
 * failure before the model starts (bad provider, validation) is answered as plain JSON with a 4xx status.
 */
import type { Context } from 'koa';
import type { AgentEvent } from '../plugin-api/types.ts';
import { alinCodingFrame, newCodingState } from './alin-coding-dialect.ts';
import { aionFrame, alinFrame, type AionState, type Dialect, type Frame } from './dialects.ts';
import { SseWriter } from './writer.ts';

/**
 * @param start builds the event stream; it receives the signal that aborts when the client disconnects, and `abort`,
 *   which aborts the same signal from the run's side (one controller per stream, not one per layer).
 */
export async function streamAgent(ctx: Context, dialect: Dialect, start: (signal: AbortSignal, abort: (reason: unknown) => void) => AsyncIterable<AgentEvent>): Promise<void> {
  const controller = new AbortController();
  const iterator = start(controller.signal, (reason) => controller.abort(reason))[Symbol.asyncIterator]();
  const first = await iterator.next(); // throws → JSON error by the error middleware
  // The writer aborts the run's own controller when the client goes away (no second controller chained to it).
  const sse = new SseWriter(ctx, { headersWithFirstFrame: true, disconnect: controller });
  const aionState: AionState = { approvalPending: false };
  const alinState = { model: '', usage: { inputTokens: 0, outputTokens: 0 } };
  const codingState = newCodingState();
  const write = (ev: AgentEvent) => {
    const out = dialect === 'aion' ? aionFrame(ev, aionState) : dialect === 'alin-coding' ? alinCodingFrame(ev, codingState) : alinFrame(ev, alinState);
    if (!Array.isArray(out)) {
      if (out) sse.send(out.type, out.payload);
    } else for (const f of out) if (f) sse.send(f.type, f.payload);
  };
  try {
    let step = first;
    while (!step.done) {
      write(step.value);
      if (sse.closed && !controller.signal.aborted) break;
      step = await iterator.next();
    }
  } catch (error: any) {
    const message = String(error?.message ?? error);
    write({ type: 'error', code: error?.code && /^[A-Z_]+$/.test(error.code) ? error.code : 'STREAM_ERROR', message });
  } finally {
    // Draining the generator (even after a disconnect) lets the loop save the partial turn.
    if (!sse.closed) write({ type: 'error', code: 'STREAM_ENDED', message: 'The stream ended without a result' });
    await iterator.return?.(undefined);
    sse.close();
  }
}
