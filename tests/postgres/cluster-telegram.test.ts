/**
 * The Telegram bot across instances (fake Bot API server): exactly one of two instances long-polls; when the leader is
 * killed (SIGKILL, its database session drops) the other one polls within seconds.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.ts';
import { eventually, startPair, type Pair } from './cluster-pair.ts';

let tg: FakeTelegram;
let pair: Pair;
let admin: string;
before(async () => {
  tg = await startFakeTelegram();
  pair = await startPair({ ...tg.env, TELEGRAM_BOT_TOKEN: tg.token });
  admin = (await pair.a.signup()).token;
});
after(async () => {
  await pair.close();
  await tg.close();
});

const polling = async (s: Pair['a']) => (await s.api('GET', '/api/telegram/config', { token: admin })).body?.polling_active === true;

test('exactly one instance polls; killing it makes the other poll within seconds', async () => {
  const { a, b } = pair;
  await eventually(async () => (await polling(a)) !== (await polling(b)), 'one poller');
  await new Promise((r) => setTimeout(r, 2500)); // several lease rounds: the follower must stay a follower
  const [pa, pb] = [await polling(a), await polling(b)];
  assert.equal(Number(pa) + Number(pb), 1, `pollers: A ${pa}, B ${pb}`);
  const [leader, follower] = pa ? [a, b] : [b, a];
  const before = tg.callsOf('getUpdates').length;
  await leader.kill();
  await eventually(() => polling(follower), 'the follower polling after the leader died');
  await eventually(() => tg.callsOf('getUpdates').length > before, 'getUpdates from the new leader');
  // A third instance joining now does not poll as well.
  const c = await pair.another({ ...tg.env, TELEGRAM_BOT_TOKEN: tg.token });
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(await polling(c), false);
  assert.equal(await polling(follower), true);
});
