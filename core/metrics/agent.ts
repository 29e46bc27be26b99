/**
 * Chat metrics from the agent's event stream: `instrumentAgent` wraps `run` and `runTurn` so every caller (panel,
 * channels, OpenAI API) is counted the same way, without the loop knowing about metrics.
 */
import type { AgentApi, AgentEvent } from '../plugin-api/types.ts';
import { chatTurns, recordToolCall, timeToFirstToken, tokens } from './registry.ts';

const FIRST_TOKEN = new Set<AgentEvent['type']>(['text', 'thinking_start', 'thinking', 'tool_call']);

/** Pass events through, recording time to first token, tokens, tool calls and the turn's outcome. */
async function* observe(kind: 'run' | 'turn', events: AsyncIterable<AgentEvent>): AsyncGenerator<AgentEvent> {
  const started = performance.now();
  let provider = 'unknown';
  let firstSeen = false;
  let outcome = 'aborted';
  try {
    for await (const ev of events) {
      if (ev.type === 'start') provider = ev.provider;
      else if (!firstSeen && FIRST_TOKEN.has(ev.type)) {
        firstSeen = true;
        timeToFirstToken.observe({ provider }, (performance.now() - started) / 1000);
      } else if (ev.type === 'usage') {
        tokens.inc({ provider, direction: 'input' }, ev.inputTokens || 0);
        tokens.inc({ provider, direction: 'output' }, ev.outputTokens || 0);
      } else if (ev.type === 'tool_result' && kind === 'run') recordToolCall(ev.name, ev.ok);
      else if (ev.type === 'done') outcome = ev.stopReason === 'aborted' ? 'aborted' : 'ok';
      else if (ev.type === 'error') outcome = 'error';
      yield ev;
    }
  } catch (error) {
    outcome = 'error';
    throw error;
  } finally {
    chatTurns.inc({ kind, provider, outcome });
  }
}

/** Wrap the agent's `run` and `runTurn` in place. */
export function instrumentAgent(agent: AgentApi): void {
  const run = agent.run.bind(agent);
  const runTurn = agent.runTurn.bind(agent);
  agent.run = (request) => observe('run', run(request));
  agent.runTurn = (request) => observe('turn', runTurn(request));
}
