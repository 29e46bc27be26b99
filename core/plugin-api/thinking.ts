/**
 * One thinking-block state machine for the providers: whatever shape a provider streams its reasoning in — separate
 * thinking deltas (`reasoning_content`, Ollama's `message.thinking`, Gemini's thought parts), a signature that ends a
 * block (Anthropic, Gemini's `thoughtSignature`), a redacted block, or `<think>…</think>` at the start of the text
 * (DeepSeek R1, Qwen and others through Ollama or OpenAI-compatible servers) — the agent gets the same events:
 * `thinking_start`, `thinking` deltas, `thinking_end` (with the signature when there is one), then `text`.
 *
 * Every method returns the events to yield, in order: `yield* blocks.text(delta)`.
 *
 * @example
 * ```ts
 * const blocks = new ThinkingBlocks({ tags: true });
 * for await (const chunk of stream) {
 *   if (chunk.reasoning) yield* blocks.thinking(chunk.reasoning);
 *   if (chunk.content) yield* blocks.text(chunk.content);
 * }
 * yield* blocks.end();
 * ```
 */
import type { ProviderEvent } from './common.ts';

const OPEN_TAG = '<think>';
const CLOSE_TAG = '</think>';

export interface ThinkingBlocksOptions {
  /**
   * Read `<think>…</think>` at the start of the visible text as thinking (models that write their reasoning into the
   * answer). Only a leading tag counts: a `<think>` later in an answer is text.
   */
  tags?: boolean;
}

export class ThinkingBlocks {
  private open = false;
  /**
   * Where the leading-tag reader is: may still see `<think>`, inside it, right after `</think>` (the blank lines
   * models put there are dropped), or done (plain text from here on).
   */
  private tagState: 'start' | 'inside' | 'after' | 'done';
  /** Text held back because it may be the beginning of a tag split across deltas. */
  private held = '';

  constructor(options: ThinkingBlocksOptions = {}) {
    this.tagState = options.tags ? 'start' : 'done';
  }

  /** True while a thinking block is open. */
  get isOpen(): boolean {
    return this.open;
  }

  /** A new block begins (a provider that announces its blocks): the open one closes first. */
  begin(): ProviderEvent[] {
    return [...this.close(), ...this.start()];
  }

  /** A piece of thinking text; opens a block when none is open. */
  thinking(delta: string): ProviderEvent[] {
    if (!delta) return [];
    return [...this.start(), { type: 'thinking', delta }];
  }

  /** A piece of the visible answer: closes an open block first (and reads a leading `<think>` when asked to). */
  text(delta: string): ProviderEvent[] {
    if (this.tagState === 'after') {
      delta = delta.replace(/^\s+/, '');
      if (delta) this.tagState = 'done';
    }
    if (!delta) return [];
    if (this.tagState === 'done') return [...this.close(), { type: 'text', delta }];
    return this.readTags(this.held + delta);
  }

  /** The signature that ends the current block; with no block open, an empty one just to carry it (Gemini). */
  signature(signature: string): ProviderEvent[] {
    const opened = this.start();
    this.open = false;
    return [...opened, { type: 'thinking_end', signature }];
  }

  /**
   * A redacted block (its reasoning encrypted by the provider): closes what is open, then an empty block whose
   * signature carries the provider's opaque data, so the block goes back to the provider in order.
   */
  redacted(data: string): ProviderEvent[] {
    return [...this.close(), ...this.signature(data)];
  }

  /** Close an open block (before a tool call, at a block's end); nothing when none is open. */
  close(signature?: string): ProviderEvent[] {
    if (!this.open) return [];
    this.open = false;
    return [signature ? { type: 'thinking_end', signature } : { type: 'thinking_end' }];
  }

  /** The stream ended: what was held back goes out, and an open block closes. */
  end(): ProviderEvent[] {
    const held = this.held;
    this.held = '';
    const out: ProviderEvent[] = [];
    if (held.trim()) out.push(...(this.tagState === 'inside' ? this.thinking(held) : [...this.close(), { type: 'text' as const, delta: held }]));
    this.tagState = 'done';
    return [...out, ...this.close()];
  }

  private start(): ProviderEvent[] {
    if (this.open) return [];
    this.open = true;
    return [{ type: 'thinking_start' }];
  }

  /** The leading-tag reader: `<think>` before any visible text opens a block, `</think>` closes it for good. */
  private readTags(text: string): ProviderEvent[] {
    this.held = '';
    if (this.tagState === 'start') {
      const lead = text.trimStart();
      if (lead.startsWith(OPEN_TAG)) {
        this.tagState = 'inside';
        return [...this.close(), ...this.start(), ...this.readTags(lead.slice(OPEN_TAG.length))];
      }
      if (lead === '' || OPEN_TAG.startsWith(lead)) {
        this.held = text; // maybe the tag, still arriving
        return [];
      }
      this.tagState = 'done';
      return this.text(text);
    }
    const at = text.indexOf(CLOSE_TAG);
    if (at >= 0) {
      this.tagState = 'after';
      return [...this.thinking(text.slice(0, at)), ...this.close(), ...this.text(text.slice(at + CLOSE_TAG.length))];
    }
    const keep = partialSuffix(text, CLOSE_TAG);
    this.held = text.slice(text.length - keep);
    return this.thinking(text.slice(0, text.length - keep));
  }
}

/** How many characters at the end of `text` could begin `tag`. */
function partialSuffix(text: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, text.length); n > 0; n--) if (tag.startsWith(text.slice(-n))) return n;
  return 0;
}
