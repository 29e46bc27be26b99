/**
 * Chat metrics from the agent's event stream: `instrumentAgent` wraps `run` and `runTurn` so every caller (panel,
 * channels, OpenAI API) is counted the same way, without the loop knowing about metrics.
 */
import type { AgentApi, AgentEvent } from '../plugin-api/types.ts';
import { chatTurns, recordToolCall, timeToFirstToken, tokens } from './registry.ts';

const FIRST_TOKEN = new Set<AgentEvent['type']>(['text', 'thinking_start', 'thinking', 'tool_call']);

/**
 * Pass events through, recording time to first token, tokens, tool calls and the turn's outcome. A plain iterator over
 * the inner one rather than an async generator: every event of every turn passes here, and a generator layer costs
 * several promise hops per event where this costs one.
 */
function observe(kind: 'run' | 'turn', events: AsyncIterable<AgentEvent>): AsyncIterableIterator<AgentEvent> {
  const inner = events[Symbol.asyncIterator]();
  const started = performance.now();
  let provider = 'unknown';
  let firstSeen = false;
  let outcome = 'aborted';
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    chatTurns.inc({ kind, provider, outcome });
  };
  const see = (ev: AgentEvent) => {
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
  };
  const onStep = (step: IteratorResult<AgentEvent>) => {
    if (step.done) finish();
    else see(step.value);
    return step;
  };
  const onError = (error: unknown): never => {
    outcome = 'error';
    finish();
    throw error;
  };
  const iterator: AsyncIterableIterator<AgentEvent> = {
    next: () => (finished ? Promise.resolve({ done: true, value: undefined }) : inner.next().then(onStep, onError)),
    // Leaving early (a disconnect, a consumer's break) still closes the inner run and counts the turn.
    return: async (value?: unknown) => {
      try {
        if (!finished) await inner.return?.(value);
      } finally {
        finish();
      }
      return { done: true, value: undefined };
    },
    throw: async (error?: unknown) => {
      if (!finished && inner.throw) return inner.throw(error).then(onStep, onError);
      return onError(error);
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

/** Wrap the agent's `run` and `runTurn` in place. */
export function instrumentAgent(agent: AgentApi): void {
  const run = agent.run.bind(agent);
  const runTurn = agent.runTurn.bind(agent);
  agent.run = (request) => observe('run', run(request));
  agent.runTurn = (request) => observe('turn', runTurn(request));
}
