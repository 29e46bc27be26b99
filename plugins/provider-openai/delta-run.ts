/**
 * Consecutive text (or reasoning) deltas of one network read, joined into one delta. A burst brings hundreds of chunks
 * in one read; handed on one by one, each became an event through every layer, an SSE frame, a JSON.stringify and a
 * parse on the client (issue #16: the proxy spent more per token than the client). The boundaries between a
 * provider's deltas carry no meaning, and paced streams (one chunk a read) are handed on as they come.
 */
import type { ProviderEvent, ThinkingBlocks } from '../../core/plugin-api/index.ts';

export class DeltaRun {
  private kind: 'text' | 'thinking' | undefined;
  private text = '';

  constructor(private readonly blocks: ThinkingBlocks) {}

  /** Add a piece; the events of a run of the other kind, which ends here, are returned. */
  add(kind: 'text' | 'thinking', piece: string): ProviderEvent[] {
    const ended = this.kind !== kind ? this.flush() : NONE;
    this.kind = kind;
    this.text += piece;
    return ended;
  }

  /** The open run's events (at the end of a read, before a tool call); nothing when none is open. */
  flush(): ProviderEvent[] {
    const { kind, text } = this;
    this.kind = undefined;
    this.text = '';
    if (!kind) return NONE;
    return kind === 'text' ? this.blocks.text(text) : this.blocks.thinking(text);
  }
}

const NONE: ProviderEvent[] = [];
