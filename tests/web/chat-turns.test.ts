/** The chat transcript's pure logic: attachment blocks round-trip, stored turns keep their tokens, frames fold in. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyFrame, fromStored, splitDocuments, withDocuments, type Turn } from '../../web/src/chat/turns.ts';

test('documents travel after the typed text and come back as names', () => {
  const sent = withDocuments('Summarise these', [
    { name: 'a.txt', text: 'alpha' },
    { name: 'we"ird<name>.md', text: 'beta\n</attachment-not>' },
  ]);
  assert.ok(sent.startsWith('Summarise these\n\n<attachment name="a.txt">'), sent);
  assert.deepEqual(splitDocuments(sent), { text: 'Summarise these', documents: ['a.txt', 'we_ird_name_.md'] });
  assert.equal(withDocuments('', [{ name: 'only.pdf', text: 'x' }]).split('\n')[0], '(only.pdf)');
  assert.deepEqual(splitDocuments('no attachments here'), { text: 'no attachments here', documents: [] });
});

test('a stored turn of several assistant messages is one turn with its tokens summed; images and documents return', () => {
  const turns = fromStored([
    { id: 'u1', role: 'user', content: [{ type: 'text', text: withDocuments('Look', [{ name: 'n.txt', text: 'NOTE' }]) }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } }] },
    { id: 'a1', role: 'assistant', content: [{ type: 'tool_use', id: 'c1', name: 'lookup', input: { q: 1 } }], tokensInput: 100, tokensOutput: 5 },
    { id: 'r1', role: 'user', content: [{ type: 'tool_result', tool_use_id: 'c1', content: '{"answer":42}' }] },
    { id: 'a2', role: 'assistant', content: [{ type: 'text', text: 'It is 42' }], tokens: { input: 150, output: 7 } },
  ]);
  assert.equal(turns.length, 2);
  assert.deepEqual(turns[0]!.images, ['data:image/png;base64,AAAA']);
  assert.deepEqual(turns[0]!.documents, ['n.txt']);
  assert.equal((turns[0]!.parts[0] as { text: string }).text, 'Look');
  assert.deepEqual(turns[1]!.usage, { input: 250, output: 12 });
  assert.deepEqual(turns[1]!.messageIds, ['a1', 'r1', 'a2']);
  const tool = turns[1]!.parts.find((p) => p.kind === 'tool');
  assert.deepEqual(tool && tool.kind === 'tool' && tool.result, { answer: 42 });
});

test('frames: progress is clamped, an approval drops its echoed token, done brings audio', () => {
  let turn: Turn = { key: 'k', role: 'assistant', parts: [], streaming: true };
  turn = applyFrame(turn, { type: 'tool_call', id: 'c', name: 'crunch', args: {} });
  turn = applyFrame(turn, { type: 'progress', call_id: 'c', percent: 140, label: 'x' });
  const tool = turn.parts[0];
  assert.equal(tool?.kind === 'tool' && tool.progress?.percent, 100);
  turn = applyFrame(turn, { type: 'token', text: 'Allow danger?' });
  turn = applyFrame(turn, { type: 'approval', id: 'd', name: 'danger', args: {}, message: 'Allow danger?' });
  assert.equal(turn.parts.filter((p) => p.kind === 'text').length, 0);
  turn = applyFrame(turn, { type: 'done', full_response: '', response_blocks: [{ type: 'audio', url: '/api/audio/x.mp3?sig=1', format: 'mp3' }, { type: 'text', content: 'hi' }] });
  assert.deepEqual(turn.media, [{ type: 'audio', url: '/api/audio/x.mp3?sig=1', format: 'mp3' }]);
  assert.equal(turn.streaming, false);
});
