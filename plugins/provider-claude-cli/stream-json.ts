/**
 * Claude Code's `--output-format stream-json` (NDJSON, `--verbose`) → provider events.
 *
 * Lines: `{type:'system', subtype:'init', …}`; `{type:'assistant', message:{content:[text|thinking|tool_use…]}}`;
 * `{type:'user', message:{content:[tool_result…]}}` (the CLI's own tool results); with `--include-partial-messages`
 * also `{type:'stream_event', event:<Anthropic stream event>}` deltas; finally `{type:'result', subtype, is_error,
 * result, usage, …}`.
 *
 * With partial messages the text arrives twice (deltas, then the whole `assistant` message); once a delta was seen,
 * text and thinking of whole messages are skipped. The CLI runs its own tools: reporting them as `tool_call` would make
 * our loop try to run them too, so each `tool_use` becomes a short text note instead (`[claude-cli tool: Name …]`).
 */
import { AppError, ThinkingBlocks, type ProviderEvent, type Usage } from '../../core/plugin-api/index.ts';

type Json = Record<string, any>;

/** A stateful mapper: feed lines, get events. */
export class StreamJsonMapper {
  private partial = false;
  private readonly blocks = new ThinkingBlocks();
  private sawText = false;
  /** Set once a `result` line arrived. */
  result: { usage?: Usage; isError: boolean; subtype: string; text: string } | undefined;

  constructor(private readonly toolNotes = true) {}

  /** Events for one NDJSON line (blank or non-JSON lines are ignored: the CLI may print warnings). */
  line(raw: string): ProviderEvent[] {
    const text = raw.trim();
    if (!text.startsWith('{')) return [];
    let msg: Json;
    try {
      msg = JSON.parse(text);
    } catch {
      return [];
    }
    switch (msg.type) {
      case 'stream_event':
        return this.streamEvent(msg.event ?? {});
      case 'assistant':
        return this.assistant(msg.message ?? {});
      case 'result':
        return this.resultLine(msg);
      default:
        return [];
    }
  }

  /** Events to close an open thinking block. */
  flush(): ProviderEvent[] {
    return this.blocks.close();
  }

  private streamEvent(ev: Json): ProviderEvent[] {
    if (ev.type === 'content_block_start' && ev.content_block?.type === 'thinking') {
      this.partial = true;
      return this.blocks.begin();
    }
    if (ev.type !== 'content_block_delta') {
      if (ev.type === 'content_block_stop' || ev.type === 'message_stop') return this.blocks.close();
      return [];
    }
    const d = ev.delta ?? {};
    if (d.type === 'text_delta' && typeof d.text === 'string') {
      this.partial = true;
      this.sawText = true;
      return this.blocks.text(d.text);
    }
    if (d.type === 'thinking_delta' && typeof d.thinking === 'string') {
      this.partial = true;
      return this.blocks.thinking(d.thinking);
    }
    return [];
  }

  private assistant(message: Json): ProviderEvent[] {
    const out: ProviderEvent[] = [];
    for (const block of Array.isArray(message.content) ? message.content : []) {
      if (block?.type === 'text' && typeof block.text === 'string' && !this.partial) {
        out.push(...this.blocks.text(block.text));
        this.sawText = true;
      } else if (block?.type === 'thinking' && typeof block.thinking === 'string' && !this.partial) {
        out.push(...this.blocks.begin(), ...this.blocks.thinking(block.thinking), ...this.blocks.close());
      } else if (block?.type === 'tool_use' && this.toolNotes) {
        out.push(...this.blocks.close(), { type: 'text', delta: `${this.sawText ? '\n\n' : ''}[claude-cli tool: ${String(block.name ?? 'tool')}${summarise(block.input)}]\n\n` });
        this.sawText = false;
      }
    }
    return out;
  }

  private resultLine(msg: Json): ProviderEvent[] {
    const u = msg.usage ?? {};
    const cacheRead = Number(u.cache_read_input_tokens ?? 0);
    const cacheWrite = Number(u.cache_creation_input_tokens ?? 0);
    const usage: Usage = {
      // The whole prompt, as on the other providers; cache reads said apart.
      inputTokens: Number(u.input_tokens ?? 0) + cacheRead + cacheWrite,
      outputTokens: Number(u.output_tokens ?? 0),
      ...(cacheRead ? { cacheReadTokens: cacheRead } : {}),
    };
    this.result = { usage, isError: !!msg.is_error, subtype: String(msg.subtype ?? ''), text: typeof msg.result === 'string' ? msg.result : '' };
    const out: ProviderEvent[] = [...this.blocks.close()];
    // A result without any streamed text (an old CLI, or text only in `result`): use its text.
    if (!msg.is_error && !this.sawText && !this.partial && this.result.text) out.push({ type: 'text', delta: this.result.text });
    if (msg.is_error) {
      throw new AppError(502, 'PROVIDER_ERROR', `claude-cli: ${(this.result.text || this.result.subtype || 'error').slice(0, 500)}`, { provider: 'claude-cli' });
    }
    out.push({ type: 'usage', ...usage });
    return out;
  }
}

/** ` {"command":"ls"}`, shortened. */
function summarise(input: unknown): string {
  if (!input || typeof input !== 'object' || !Object.keys(input).length) return '';
  const s = JSON.stringify(input);
  return ` ${s.length > 200 ? `${s.slice(0, 197)}…` : s}`;
}
