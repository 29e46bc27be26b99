/** Unit tests of the Telegram text helpers: MarkdownV2 escaping and splitting at 4,096 characters. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeMarkdownV2, escapeMarkdownV2Code, splitMessage } from '../../plugins/telegram/format.ts';

test('escapeMarkdownV2 escapes every special character and the backslash, nothing else', () => {
  assert.equal(escapeMarkdownV2('_*[]()~`>#+-=|{}.!'), '\\_\\*\\[\\]\\(\\)\\~\\`\\>\\#\\+\\-\\=\\|\\{\\}\\.\\!');
  assert.equal(escapeMarkdownV2('a\\b'), 'a\\\\b');
  assert.equal(escapeMarkdownV2('1.5 * 2 = 3!'), '1\\.5 \\* 2 \\= 3\\!');
  assert.equal(escapeMarkdownV2('Grüße, 世界 🙂 ok'), 'Grüße, 世界 🙂 ok');
  assert.equal(escapeMarkdownV2(''), '');
});

test('escapeMarkdownV2Code escapes only backtick and backslash', () => {
  assert.equal(escapeMarkdownV2Code('a`b\\c.d*'), 'a\\`b\\\\c.d*');
});

test('splitMessage keeps short texts whole and splits long ones losslessly', () => {
  assert.deepEqual(splitMessage('hello'), ['hello']);
  assert.deepEqual(splitMessage(''), ['']);
  assert.deepEqual(splitMessage('a'.repeat(4096)), ['a'.repeat(4096)]);
  const hard = splitMessage('a'.repeat(5000));
  assert.deepEqual(hard.map((p) => p.length), [4096, 904]);
  const words = Array.from({ length: 2000 }, (_, i) => `w${i}`).join(' ');
  const pieces = splitMessage(words);
  assert.equal(pieces.join(''), words);
  for (const p of pieces) assert.ok(p.length <= 4096);
  assert.ok(pieces[0].endsWith(' '), 'cut after a space, not inside a word');
  const lines = Array.from({ length: 100 }, () => 'y'.repeat(60)).join('\n');
  assert.ok(splitMessage(lines)[0].endsWith('\n'), 'a line break is preferred');
});

test('splitMessage never cuts a surrogate pair', () => {
  const text = 'a'.repeat(4095) + '🙂' + 'b';
  const pieces = splitMessage(text);
  assert.equal(pieces.join(''), text);
  assert.equal(pieces[0].length, 4095);
  assert.ok(pieces[1].startsWith('🙂'));
});
