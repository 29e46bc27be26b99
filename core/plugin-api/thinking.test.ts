/** The providers' thinking-block state machine (`thinking.ts`). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProviderEvent } from './common.ts';
import { ThinkingBlocks } from './thinking.ts';

/** Events folded to a readable script: `[` opens, `]` closes (`]sig` with a signature), text as `t:`, thinking as `k:`. */
function script(events: ProviderEvent[]): string[] {
  const out: string[] = [];
  for (const ev of events) {
    const last = out[out.length - 1];
    if (ev.type === 'thinking_start') out.push('[');
    else if (ev.type === 'thinking_end') out.push(ev.signature ? `]${ev.signature}` : ']');
    else if (ev.type === 'thinking') last?.startsWith('k:') ? (out[out.length - 1] += ev.delta) : out.push(`k:${ev.delta}`);
    else if (ev.type === 'text') last?.startsWith('t:') ? (out[out.length - 1] += ev.delta) : out.push(`t:${ev.delta}`);
  }
  return out;
}

test('separate thinking deltas: one block, closed by the first text, never reopened by more text', () => {
  const b = new ThinkingBlocks();
  const events = [...b.thinking('Let me'), ...b.thinking(' see'), ...b.text('Hi'), ...b.text(' there'), ...b.end()];
  assert.deepEqual(script(events), ['[', 'k:Let me see', ']', 't:Hi there']);
  assert.equal(b.isOpen, false);
});

test('a signature ends the open block; with none open it gets an empty block of its own', () => {
  const b = new ThinkingBlocks();
  assert.deepEqual(script([...b.thinking('plan'), ...b.signature('sig-1'), ...b.text('ok'), ...b.signature('sig-2'), ...b.end()]),
    ['[', 'k:plan', ']sig-1', 't:ok', '[', ']sig-2']);
});

test('a redacted block closes what is open and travels as an empty signed block', () => {
  const b = new ThinkingBlocks();
  assert.deepEqual(script([...b.thinking('a'), ...b.redacted('opaque'), ...b.text('x')]), ['[', 'k:a', ']', '[', ']opaque', 't:x']);
});

test('close before a tool call; end closes a block left open; nothing to close is nothing', () => {
  const b = new ThinkingBlocks();
  assert.deepEqual(b.close(), []);
  assert.deepEqual(script([...b.thinking('hmm'), ...b.close()]), ['[', 'k:hmm', ']']);
  assert.deepEqual(script([...b.thinking('again'), ...b.end()]), ['[', 'k:again', ']']);
});

test('<think> tags at the start of the text are thinking, even split across every delta', () => {
  const text = '<think>The user greets me.</think>\n\nHello!';
  const whole = new ThinkingBlocks({ tags: true });
  assert.deepEqual(script([...whole.text(text), ...whole.end()]), ['[', 'k:The user greets me.', ']', 't:Hello!']);
  const split = new ThinkingBlocks({ tags: true });
  const events = [...text].flatMap((c) => split.text(c));
  assert.deepEqual(script([...events, ...split.end()]), ['[', 'k:The user greets me.', ']', 't:Hello!']);
});

test('tags: a later <think> is text, text without tags passes, and an unclosed tag ends as thinking', () => {
  const later = new ThinkingBlocks({ tags: true });
  assert.deepEqual(script([...later.text('Use '), ...later.text('<think> in HTML'), ...later.end()]), ['t:Use <think> in HTML']);
  const plain = new ThinkingBlocks({ tags: true });
  assert.deepEqual(script([...plain.text('<'), ...plain.text('b>bold'), ...plain.end()]), ['t:<b>bold']);
  const cut = new ThinkingBlocks({ tags: true });
  assert.deepEqual(script([...cut.text('<think>still thinking</thi'), ...cut.end()]), ['[', 'k:still thinking</thi', ']']);
  const off = new ThinkingBlocks();
  assert.deepEqual(script([...off.text('<think>x</think>y')]), ['t:<think>x</think>y']);
});

test('begin: an announced block closes the open one and opens its own, even before any text', () => {
  const b = new ThinkingBlocks();
  assert.deepEqual(script([...b.begin(), ...b.thinking('one'), ...b.begin(), ...b.close()]), ['[', 'k:one', ']', '[', ']']);
});
