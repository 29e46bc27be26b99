/**
 * The state of one streamed message, built from its events: which block is open at each index, the tool input's JSON
 * text and the thinking signature until the block stops, and the usage and stop reason of the message. It keeps only
 * what the provider events need (text and thinking deltas go straight out), so a delta costs no copy of the block.
 * Thinking goes through the shared `ThinkingBlocks` machine, as with every provider: a `thinking` block is begun at its
 * start and closed with its signature at its stop; a `redacted_thinking` block becomes an empty block whose signature is
 * the block's encrypted `data` (map-messages sends it back as `redacted_thinking`).
 */
import type Anthropic from '@anthropic-ai/sdk';
import { ThinkingBlocks, type ProviderEvent } from '../../core/plugin-api/index.ts';

interface OpenBlock {
  type: Anthropic.ContentBlock['type'];
  id?: string;
  name?: string;
  /** The tool input as sent at the block's start (`{}`), used when no JSON deltas follow. */
  input?: unknown;
  /** Concatenated `input_json_delta` pieces. */
  json: string;
  signature?: string;
}

/** The SDK's partial-JSON parser; handed in by the caller, which loads it with the SDK (not at plugin load). */
export type PartialJsonParse = (json: string) => unknown;

export class MessageState {
  constructor(private readonly partialParse: PartialJsonParse = () => ({})) {}

  /** True once `message_start` arrived; a stream that ends before it produced no message. */
  started = false;
  /** True once `message_stop` arrived; a stream cut off before it is an error, as with the SDK's reader. */
  stopped = false;
  usage: Anthropic.Usage | undefined;
  stopReason: Anthropic.StopReason | null = null;
  private readonly blocks = new Map<number, OpenBlock>();
  private readonly thinking = new ThinkingBlocks();

  /** Apply one event; yields the provider events it completes. */
  *apply(event: Anthropic.MessageStreamEvent): Generator<ProviderEvent> {
    switch (event.type) {
      case 'message_start':
        this.started = true;
        this.usage = { ...event.message.usage };
        break;
      case 'message_stop':
        this.stopped = true;
        break;
      case 'message_delta':
        this.stopReason = event.delta.stop_reason;
        this.mergeUsage(event.usage);
        break;
      case 'content_block_start':
        yield* this.start(event.index, event.content_block);
        break;
      case 'content_block_delta':
        yield* this.delta(event.index, event.delta);
        break;
      case 'content_block_stop':
        yield* this.stop(event.index);
        break;
    }
  }

  private *start(index: number, block: Anthropic.ContentBlock): Generator<ProviderEvent> {
    const open: OpenBlock = { type: block.type, json: '' };
    if (block.type === 'tool_use' || block.type === 'server_tool_use') Object.assign(open, { id: block.id, name: block.name, input: block.input });
    if (block.type === 'thinking') {
      open.signature = block.signature;
      yield* this.thinking.begin();
    } else if (block.type === 'redacted_thinking') {
      yield* this.thinking.redacted(block.data);
    }
    this.blocks.set(index, open);
  }

  private *delta(index: number, delta: Anthropic.RawContentBlockDelta): Generator<ProviderEvent> {
    const open = this.blocks.get(index);
    switch (delta.type) {
      case 'text_delta':
        if (open?.type === 'text') yield { type: 'text', delta: delta.text };
        break;
      case 'thinking_delta':
        if (open?.type === 'thinking') yield* this.thinking.thinking(delta.thinking);
        break;
      case 'signature_delta':
        if (open?.type === 'thinking') open.signature = delta.signature;
        break;
      case 'input_json_delta':
        if (open) open.json += delta.partial_json;
        break;
    }
  }

  private *stop(index: number): Generator<ProviderEvent> {
    const open = this.blocks.get(index);
    this.blocks.delete(index);
    if (open?.type === 'thinking') {
      yield* this.thinking.close(open.signature || undefined);
    } else if (open?.type === 'tool_use') {
      yield { type: 'tool_call', id: open.id!, name: open.name!, args: asArgs(open.json ? parseInput(open.json, this.partialParse) : open.input) };
    }
  }

  /** As the SDK merges them: `output_tokens` always; the other counters are whole-message totals, set when present. */
  private mergeUsage(delta: Anthropic.MessageDeltaUsage): void {
    const usage = (this.usage ??= { input_tokens: 0, output_tokens: 0 } as Anthropic.Usage);
    usage.output_tokens = delta.output_tokens;
    if (delta.input_tokens != null) usage.input_tokens = delta.input_tokens;
    if (delta.cache_creation_input_tokens != null) usage.cache_creation_input_tokens = delta.cache_creation_input_tokens;
    if (delta.cache_read_input_tokens != null) usage.cache_read_input_tokens = delta.cache_read_input_tokens;
    if (delta.server_tool_use != null) usage.server_tool_use = delta.server_tool_use;
    if (delta.output_tokens_details != null) usage.output_tokens_details = delta.output_tokens_details;
  }
}

/**
 * Complete JSON (the normal case) through `JSON.parse`; anything else — a stream cut off inside the input — through the
 * SDK's own partial-JSON parser, so the result is what the SDK's reader would have given.
 */
function parseInput(json: string, partialParse: PartialJsonParse): unknown {
  try {
    return JSON.parse(json);
  } catch {
    try {
      return partialParse(json);
    } catch {
      return {};
    }
  }
}

/** Tool input is an object by the API's contract; anything else (an empty stream of JSON) becomes `{}`. */
function asArgs(input: unknown): Record<string, unknown> {
  return input && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
}
