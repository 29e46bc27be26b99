/**
 * Tool calls arrive in pieces: the first delta of a call (by `index`) brings its id and name, later ones append to
 * `arguments`. This collects them and parses each call's arguments once the stream is done.
 */
import type OpenAI from 'openai';

/** A finished call; `invalidJson` holds the raw arguments when they did not parse (`args` is then `{}`). */
export interface FinishedCall {
  id: string;
  name: string;
  args: Record<string, unknown>;
  invalidJson?: string;
}

/** Accumulates `delta.tool_calls` by index. */
export class ToolCallAccumulator {
  private readonly calls = new Map<number, { id: string; name: string; args: string }>();

  /** Add one chunk's tool-call deltas. */
  add(deltas: OpenAI.Chat.ChatCompletionChunk.Choice.Delta.ToolCall[] | undefined): void {
    for (const d of deltas ?? []) {
      const call = this.calls.get(d.index) ?? { id: '', name: '', args: '' };
      if (d.id) call.id = d.id;
      if (d.function?.name) call.name += d.function.name;
      if (d.function?.arguments) call.args += d.function.arguments;
      this.calls.set(d.index, call);
    }
  }

  get size(): number {
    return this.calls.size;
  }

  /** The calls in index order, arguments parsed. Some compatible servers omit ids; one is made up then. */
  finish(): FinishedCall[] {
    return [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, c]) => ({ id: c.id || `call_${index}_${Date.now().toString(36)}`, name: c.name, ...parseArgs(c.args) }));
  }
}

/**
 * Arguments → an object. Empty means no arguments. Invalid JSON (a truncated stream, a weak model) gives `{}` — as the
 * original server did — and the raw text is returned so the caller can log it; the tool then fails its own input
 * validation with a clear message instead of the whole turn failing.
 */
function parseArgs(raw: string): { args: Record<string, unknown>; invalidJson?: string } {
  if (!raw.trim()) return { args: {} };
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return { args: parsed as Record<string, unknown> };
  } catch {
    // fall through
  }
  return { args: {}, invalidJson: raw };
}
