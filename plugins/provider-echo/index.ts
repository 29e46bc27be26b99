/**
 * `echo` / `echo-1`: the offline default provider. Deterministic, for trying the runtime and for tests — it is a test
 * provider, not a model. Usage counts words. `ECHO_DELAY_MS` slows each chunk (to test stop and disconnect).
 */
import { randomUUID } from 'node:crypto';
import { definePlugin, type ChatMessage, type ProviderEvent } from '../../core/plugin-api/index.ts';
import { chunks, countWords, planReply } from './script.ts';

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason ?? new Error('aborted'));
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), reject(Object.assign(new Error('aborted'), { name: 'AbortError' }))), { once: true });
  });

function inputWords(system: string | undefined, messages: ChatMessage[]): number {
  let n = countWords(system ?? '');
  for (const m of messages) n += countWords(typeof m.content === 'string' ? m.content : JSON.stringify(m.content));
  return n;
}

export default definePlugin({
  name: 'provider-echo',
  version: '1.0.0',
  description: 'echo-1: an offline, deterministic test provider (not a model)',
  setup(ctx) {
    ctx.providers.register({
      id: 'echo',
      label: 'Echo (offline test provider)',
      prefixes: ['echo'],
      models: ['echo-1'],
      envKeys: [],
      isConfigured: () => true,
      async *stream(request, signal): AsyncGenerator<ProviderEvent> {
        const delay = Number(process.env.ECHO_DELAY_MS ?? 0);
        const pause = async () => {
          if (delay > 0) await sleep(delay, signal);
          else await new Promise((r) => setImmediate(r));
          if (signal.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
        };
        let output = 0;
        let usedTool = false;
        for (const step of planReply(request.messages)) {
          if (step.kind === 'thinking') {
            yield { type: 'thinking_start' };
            for (const c of chunks(step.text)) {
              await pause();
              yield { type: 'thinking', delta: c };
            }
            yield { type: 'thinking_end', signature: `echo-sig-${Buffer.from(step.text).toString('base64url').slice(0, 16)}` };
            output += countWords(step.text);
          } else if (step.kind === 'text') {
            for (const c of chunks(step.text)) {
              await pause();
              yield { type: 'text', delta: c };
            }
            output += countWords(step.text);
          } else {
            await pause();
            usedTool = true;
            yield { type: 'tool_call', id: `toolu_echo_${randomUUID().replace(/-/g, '').slice(0, 20)}`, name: step.name, args: step.args };
            output += 1;
          }
        }
        yield { type: 'usage', inputTokens: inputWords(request.system, request.messages), outputTokens: output };
        yield { type: 'stop', reason: usedTool ? 'tool_use' : 'end_turn' };
      },
    });
  },
});
