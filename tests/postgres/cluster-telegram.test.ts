/**
 * The Telegram bot across instances (fake Bot API server): exactly one of two instances long-polls; `/stop` sent to
 * the polling instance stops (and counts) a turn running on the other one; when the leader is killed (SIGKILL, its
 * database session drops) the other one polls within seconds.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readSse } from '../helpers/server.ts';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.ts';
import { eventually, startPair, type Pair } from './cluster-pair.ts';

let tg: FakeTelegram;
let pair: Pair;
let admin: string;
before(async () => {
  tg = await startFakeTelegram();
  pair = await startPair({ ...tg.env, TELEGRAM_BOT_TOKEN: tg.token, ECHO_DELAY_MS: '20' });
  admin = (await pair.a.signup()).token;
});
after(async () => {
  await pair.close();
  await tg.close();
});

const polling = async (s: Pair['a']) => (await s.api('GET', '/api/telegram/config', { token: admin })).body?.polling_active === true;

test("/stop in Telegram, polled by one instance, stops the owner's turn running on the other and says so", async () => {
  const { a, b } = pair;
  await eventually(async () => (await polling(a)) !== (await polling(b)), 'one poller');
  const [leader, other] = (await polling(a)) ? [a, b] : [b, a];
  const OWNER = 222;
  const code = (await leader.api('GET', '/api/telegram/config', { token: admin })).body.pairing_code;
  const reply = async (text: string, done: (t: string) => boolean) => {
    const before = tg.chatMessages(OWNER).length;
    tg.sendText(OWNER, text);
    const answer = () => tg.chatMessages(OWNER).slice(before).map((m) => m.text).join('\n');
    await tg.waitFor(() => done(answer()), 15_000);
    return answer();
  };
  assert.match(await reply(`/start ${code}`, (t) => t.includes('Paired')), /owner/);
  assert.equal(await reply('/stop', (t) => t.length > 0), 'Nothing is running.');
  const words = Array.from({ length: 300 }, (_, i) => `w${i}`).join(' ');
  let stopAnswer = '';
  const r = await readSse(`${other.url}/api/chat`, {
    token: admin,
    body: { message: words },
    onEvent: async (e, all) => {
      if (e.event === 'token' && !stopAnswer && all.filter((x) => x.event === 'token').length === 3) stopAnswer = await reply('/stop', (t) => t.length > 0);
    },
  });
  assert.equal(r.events.at(-1)!.data.cancelled, true, 'the turn on the other instance was cancelled');
  assert.equal(stopAnswer, 'Stopped.', "the poller's answer counts the turn it stopped elsewhere");
});

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
