/**
 * `POST /api/alexa` end to end: real request envelopes signed with a locally generated certificate chain (served over
 * HTTPS by `tests/fakes/alexa-certs.ts`), so the real verification code runs; then the skill's answers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startAlexaCertHost, GOOD_CERT_URL, type AlexaCertHost } from '../fakes/alexa-certs.ts';
import { intentRequest, launchRequest, sessionEndedRequest } from '../fakes/alexa-envelopes.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const SKILL = 'amzn1.ask.skill.00000000-aion-test';

let pki: AlexaCertHost;
let s: TestServer;
let admin: { token: string };

const post = (envelope: unknown, opts?: Parameters<AlexaCertHost['sign']>[1]) => {
  const { raw, headers } = pki.sign(envelope, opts);
  return s.api('POST', '/api/alexa', { raw, headers });
};
const speech = (r: { body: any }) => r.body?.response?.outputSpeech?.text as string;

before(async () => {
  pki = await startAlexaCertHost();
  s = await startServer({ env: { ...pki.env, ALEXA_SKILL_ID: SKILL, ECHO_DELAY_MS: '40', ALEXA_ANSWER_BUDGET_MS: '1000' } });
  admin = await s.signup();
});

after(async () => {
  await s?.dispose();
  await pki?.close();
});

describe('verification', () => {
  test('unsigned, tampered, badly located, untrusted and wrongly named certificates are refused with 401', async () => {
    const env = launchRequest({ skillId: SKILL });
    const unsigned = await s.api('POST', '/api/alexa', { body: env });
    assert.equal(unsigned.status, 401);
    assert.equal(unsigned.body.code, 'INVALID_SIGNATURE');

    const { raw, headers } = pki.sign(env);
    const tampered = await s.api('POST', '/api/alexa', { raw: raw.replace('LaunchRequest', 'LaunchRequest '), headers });
    assert.equal(tampered.status, 401);

    for (const certUrl of ['http://s3.amazonaws.com/echo.api/echo-api-cert-test.pem', 'https://evil.example.com/echo.api/c.pem', 'https://s3.amazonaws.com/EcHo.aPi/c.pem', 'https://s3.amazonaws.com:563/echo.api/c.pem']) {
      assert.equal((await post(env, { certUrl })).status, 401, certUrl);
    }
    assert.equal((await post(env, { key: 'untrusted' })).status, 401, 'chain to an unknown root');
    assert.equal((await post(env, { key: 'wrongName' })).status, 401, 'SAN is not echo-api.amazon.com');
    // A valid chain with another key's signature.
    assert.equal((await post(env, { key: 'untrusted', certUrl: GOOD_CERT_URL })).status, 401);
  });

  test('stale requests are refused with 400, other skills with 400', async () => {
    const stale = await post(launchRequest({ skillId: SKILL, timestamp: new Date(Date.now() - 10 * 60_000).toISOString() }));
    assert.equal(stale.status, 400);
    assert.equal(stale.body.code, 'INVALID_TIMESTAMP');
    const other = await post(launchRequest({ skillId: 'amzn1.ask.skill.someone-else' }));
    assert.equal(other.status, 400);
    assert.equal(other.body.code, 'WRONG_SKILL');
  });

  test('a correctly signed request passes; the certificate chain is downloaded once and cached', async () => {
    const before = pki.downloads.get('/echo.api/echo-api-cert-test.pem') ?? 0;
    assert.equal((await post(launchRequest({ skillId: SKILL }))).status, 200);
    assert.equal((await post(launchRequest({ skillId: SKILL }))).status, 200);
    assert.ok((pki.downloads.get('/echo.api/echo-api-cert-test.pem') ?? 0) - before <= 1);
  });
});

describe('skill', () => {
  test('launch greets and keeps the session open', async () => {
    const r = await post(launchRequest({ skillId: SKILL }));
    assert.equal(r.status, 200);
    assert.equal(r.body.version, '1.0');
    assert.equal(r.body.response.outputSpeech.type, 'PlainText');
    assert.match(speech(r), /AION is ready/);
    assert.equal(r.body.response.shouldEndSession, false);
    assert.equal(r.body.response.card.title, 'AION');
  });

  test('AionCommandIntent answers with the agent (echo) and records the turn on the alexa channel', async () => {
    const r = await post(intentRequest('AionCommandIntent', { command: 'what is on my calendar today' }, { skillId: SKILL, locale: 'de-DE' }));
    assert.equal(r.status, 200);
    assert.equal(speech(r), 'what is on my calendar today');
    assert.equal(r.body.response.card.content, 'what is on my calendar today');
    assert.equal(r.body.response.shouldEndSession, false);
    const list = (await s.api('GET', '/api/conversations', { token: admin.token })).body.conversations;
    assert.ok(list.some((c: any) => c.title === 'Alexa'));

    const empty = await post(intentRequest('AionCommandIntent', { command: undefined }, { skillId: SKILL }));
    assert.match(speech(empty), /didn't catch that/);
  });

  test('a linked token that no longer verifies acts as nobody, never as the owner (4 attempts / 0 got through)', async () => {
    const member = await s.signup();
    const linked = await post(intentRequest('AionCommandIntent', { command: 'hello from a linked account' }, { skillId: SKILL, accessToken: member.token }));
    assert.equal(speech(linked), 'hello from a linked account');
    const before = (await s.api('GET', '/api/conversations', { token: admin.token })).body.conversations.length;
    await s.api('POST', '/api/auth/logout', { token: member.token });
    for (const accessToken of [member.token, 'garbage', `${admin.token}x`, member.token]) {
      const r = await post(intentRequest('AionCommandIntent', { command: 'read my mail' }, { skillId: SKILL, accessToken }));
      assert.equal(r.status, 200);
      assert.match(speech(r), /no usable AION account/);
      assert.equal(r.body.response.shouldEndSession, true);
    }
    const after = (await s.api('GET', '/api/conversations', { token: admin.token })).body.conversations.length;
    assert.equal(after, before, 'no turn ran on the owner account');
  });

  test('help, stop, cancel, unknown intents and session end', async () => {
    assert.match(speech(await post(intentRequest('AMAZON.HelpIntent', {}, { skillId: SKILL }))), /AION/);
    for (const name of ['AMAZON.StopIntent', 'AMAZON.CancelIntent']) {
      const r = await post(intentRequest(name, {}, { skillId: SKILL }));
      assert.equal(speech(r), 'Goodbye.');
      assert.equal(r.body.response.shouldEndSession, true);
    }
    assert.match(speech(await post(intentRequest('SomethingElseIntent', {}, { skillId: SKILL }))), /don't know that command/);
    const ended = await post(sessionEndedRequest({ skillId: SKILL }));
    assert.equal(ended.status, 200);
    assert.equal(ended.body.response.outputSpeech, undefined);
  });

  test('an answer slower than the budget is promised, then spoken on the next turn', async () => {
    const words = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');
    const sessionId = 'amzn1.echo-api.session.slow';
    const first = await post(intentRequest('AionCommandIntent', { command: words }, { skillId: SKILL, sessionId }));
    assert.match(speech(first), /takes a little longer/);
    const meanwhile = await post(launchRequest({ skillId: SKILL, sessionId }));
    assert.match(speech(meanwhile), /still working/);
    await new Promise((r) => setTimeout(r, 4000));
    const next = await post(launchRequest({ skillId: SKILL, sessionId }));
    assert.match(speech(next), /answer to your earlier question/);
    assert.ok(speech(next).includes(`${words}`), 'the whole late answer');
    const again = await post(launchRequest({ skillId: SKILL, sessionId }));
    assert.doesNotMatch(speech(again), /earlier question/, 'spoken once');
  });
});

describe('approvals by voice', () => {
  test('a tool that needs approval is read out with a question; "yes" runs it, "nein" refuses it, nothing waiting is said', async () => {
    const stored = await s.api('POST', '/api/chat', { token: admin.token, body: { message: '/tool credential_write {"service":"mailbox","content":"hunter2-secret"}', model: 'echo-1' } });
    assert.equal(stored.status, 200, stored.text);
    const read = '/tool credential_read {"service":"mailbox"}';

    const sessionId = 'amzn1.echo-api.session.approve';
    const asked = await post(intentRequest('AionCommandIntent', { command: read }, { skillId: SKILL, sessionId }));
    assert.equal(asked.status, 200);
    assert.equal(speech(asked), 'The tool credential read needs your approval (service mailbox). Shall I do that? Say yes to allow it, or no to refuse.');
    assert.doesNotMatch(speech(asked), /hunter2/, 'nothing ran before the answer');
    assert.equal(asked.body.response.shouldEndSession, false, 'the session stays open for the answer');
    assert.ok(asked.body.response.reprompt, 'a reprompt asks again');

    const yes = await post(intentRequest('AMAZON.YesIntent', {}, { skillId: SKILL, sessionId }));
    assert.match(speech(yes), /Tool result: .*hunter2-secret/);

    const again = await post(intentRequest('AionCommandIntent', { command: read }, { skillId: SKILL, sessionId }));
    assert.match(speech(again), /Say yes/);
    const no = await post(intentRequest('AionCommandIntent', { command: 'nein' }, { skillId: SKILL, sessionId }));
    assert.doesNotMatch(speech(no), /hunter2/, 'a refusal never runs the tool');
    assert.match(speech(no), /Tool error/);

    const nothing = await post(intentRequest('AMAZON.YesIntent', {}, { skillId: SKILL, sessionId }));
    assert.equal(speech(nothing), 'There is nothing waiting for your confirmation.');
    const noAgain = await post(intentRequest('AMAZON.NoIntent', {}, { skillId: SKILL }));
    assert.equal(speech(noAgain), 'There is nothing waiting for your confirmation.');
  });
});

describe('ALEXA_VERIFY_SIGNATURE=false', () => {
  test('unsigned requests are answered and a warning is logged at start', async () => {
    const local = await startServer({ env: { ALEXA_VERIFY_SIGNATURE: 'false', LOG_LEVEL: 'warn' } });
    try {
      await local.signup();
      assert.match(local.output, /ALEXA_VERIFY_SIGNATURE=false/);
      const r = await local.api('POST', '/api/alexa', { body: intentRequest('AionCommandIntent', { command: 'hello there' }, { skillId: 'any' }) });
      assert.equal(r.status, 200);
      assert.equal(speech(r), 'hello there');
      assert.equal((await local.api('POST', '/api/alexa', { body: { not: 'alexa' } })).status, 400);
    } finally {
      await local.dispose();
    }
  });
});
