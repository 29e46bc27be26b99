/**
 * The provider-neutral script a fake plays: what the "model" answers. Each fake turns it into its own wire format, so
 * one script works against every provider.
 */
import type { RecordedRequest } from './server.ts';

/** One block of the scripted answer, in order. */
export type FakeBlock =
  | { type: 'text'; text: string }
  /** `signature`: Anthropic's `signature_delta`; Gemini's `thoughtSignature` (on the next part). Others ignore it. */
  | { type: 'thinking'; text: string; signature?: string }
  /**
   * `id`: Anthropic/OpenAI default to `toolu_fake_N`/`call_fake_N`; Gemini/Ollama send an id only when given.
   * `rawInput`: Anthropic/OpenAI stream this text as the arguments instead of `input` as JSON (to test broken JSON).
   */
  | { type: 'tool_use'; id?: string; name: string; input: Record<string, unknown>; rawInput?: string };

/** One scripted model call. */
export interface FakeTurn {
  blocks?: FakeBlock[];
  /** Token counts reported at the end (defaults: input 10, output 5, others absent). */
  usage?: { input?: number; output?: number; cacheRead?: number; reasoning?: number };
  /** Default: `tool_use` when a tool block is present, else `end_turn`. */
  stop?: 'end_turn' | 'tool_use' | 'max_tokens';
  /** Split texts, thinking and tool JSON into deltas of this many characters (default 8). */
  chunkSize?: number;
  /** Pause between frames, ms (default 0). */
  delayMs?: number;
  /** Send the blocks, then keep the connection open without finishing (abort tests). */
  hang?: boolean;
  /** Answer with this HTTP error (in the provider's error body shape) instead of a stream. */
  error?: { status: number; message: string };
  /** After the blocks, send an error frame inside the 200 stream (as OpenAI-compatible servers do) and end. */
  streamError?: { message: string };
}

/** A turn for every call; a list (one per call, the last repeats); or a function of the request. */
export type FakeScript = FakeTurn | FakeTurn[] | ((req: RecordedRequest, index: number) => FakeTurn);

/** The turn to play for the `index`-th request. */
export function turnFor(script: FakeScript, req: RecordedRequest, index: number): FakeTurn {
  if (typeof script === 'function') return script(req, index);
  if (Array.isArray(script)) return script[Math.min(index, script.length - 1)] ?? {};
  return script;
}

/** Split `text` into pieces of `size` characters (one empty piece for an empty text). */
export function chunks(text: string, size = 8): string[] {
  if (!text) return [''];
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** The neutral stop reason of a turn. */
export function stopOf(turn: FakeTurn): 'end_turn' | 'tool_use' | 'max_tokens' {
  return turn.stop ?? (turn.blocks?.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
}

/** Usage with defaults filled in. */
export function usageOf(turn: FakeTurn): { input: number; output: number; cacheRead?: number; reasoning?: number } {
  return { input: 10, output: 5, ...turn.usage };
}
