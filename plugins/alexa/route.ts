/**
 * `POST /api/alexa` (public; Amazon signs it): verify signature, timestamp and skill id, then let the skill answer.
 * Signature problems → 401, a stale or missing timestamp and a foreign skill id → 400, all as JSON errors.
 */
import type { RequestEnvelope } from 'ask-sdk-model';
import type { TimestampVerifier } from 'ask-sdk-express-adapter';
import { AppError, badRequest, type PluginContext } from '../../core/plugin-api/index.ts';
import { AlexaAnswers, DEFAULT_BUDGET_MS } from './answers.ts';
import { buildSkill } from './skill.ts';
import { AlexaSignatureVerifier, httpsGetText } from './verifier.ts';

/** The skill id a request was made for. */
function skillIdOf(env: any): string | undefined {
  return env?.context?.System?.application?.applicationId ?? env?.session?.application?.applicationId;
}

export function registerAlexaRoute(ctx: PluginContext<any>): AlexaAnswers {
  const verifyOn = process.env.ALEXA_VERIFY_SIGNATURE?.trim().toLowerCase() !== 'false';
  const skillId = process.env.ALEXA_SKILL_ID?.trim() || undefined;
  if (!verifyOn) ctx.log.warn('alexa: ALEXA_VERIFY_SIGNATURE=false — requests are NOT verified; use this for local testing only');
  if (!skillId && verifyOn) ctx.log.warn('alexa: ALEXA_SKILL_ID is not set — /api/alexa refuses every request until it is');
  // `ALEXA_CERT_URL_ROOT` serves Amazon's certificate paths from another origin (a mirror, or a local server in
  // tests); the URL rules, the SAN and the chain of trust are checked all the same.
  const certRoot = process.env.ALEXA_CERT_URL_ROOT?.trim();
  const signatures = new AlexaSignatureVerifier({ fetchChain: (url) => httpsGetText(certRoot ? new URL(url.pathname + url.search, certRoot) : url) });
  // The adapter package pulls in more than this one class: load it on the first request, not at plugin load.
  let timestamps: TimestampVerifier | undefined;
  const budget = Number(process.env.ALEXA_ANSWER_BUDGET_MS) > 0 ? Number(process.env.ALEXA_ANSWER_BUDGET_MS) : DEFAULT_BUDGET_MS;
  const answers = new AlexaAnswers(ctx, budget);
  const userFor = async (env: RequestEnvelope) => {
    // With account linking, Alexa passes the access token of the linked account: an AION token. A token that no
    // longer verifies (revoked, signed out everywhere, a disabled account) acts as nobody — never as the owner, which
    // would hand a revoked or disabled user's voice the first admin's account. Only an unlinked skill (no token; the
    // original's single-owner set-up, still bound to our skill id and Amazon's signature) acts as the first admin.
    const token = env.context?.System?.user?.accessToken;
    if (token) return await ctx.auth.verify(token);
    return await ctx.auth.firstAdmin();
  };
  let skill: ReturnType<typeof buildSkill> | undefined; // built on the first request: ask-sdk-core loads then
  let warnedRaw = false;

  ctx.routes.public.post('/alexa', { summary: 'Alexa skill endpoint (request signature, timestamp and skill id verified)' }, async (c, { body }) => {
    if (verifyOn) {
      // The signature covers the exact bytes Amazon sent: koa-body keeps them (`includeUnparsed`).
      let raw: string | undefined = (c.request as any).rawBody;
      if (typeof raw !== 'string' && body && typeof body === 'object') {
        if (!warnedRaw) ctx.log.warn('alexa: raw request body unavailable, verifying a re-serialised body');
        warnedRaw = true;
        raw = JSON.stringify(body);
      }
      if (typeof raw !== 'string') throw new AppError(401, 'INVALID_SIGNATURE', 'Request signature verification failed');
      try {
        await signatures.verify(raw, c.headers);
      } catch (error: any) {
        ctx.log.warn({ reason: String(error?.message ?? error) }, 'alexa: request with a bad signature refused');
        throw new AppError(401, 'INVALID_SIGNATURE', 'Request signature verification failed');
      }
      try {
        timestamps ??= new (await import('ask-sdk-express-adapter')).TimestampVerifier();
        await timestamps.verify(raw);
      } catch {
        throw badRequest('Request timestamp is missing or too old', undefined, 'INVALID_TIMESTAMP');
      }
      if (!skillId) throw new AppError(503, 'ALEXA_NOT_CONFIGURED', 'ALEXA_SKILL_ID is not set');
    }
    if (!body || typeof body !== 'object' || typeof (body as any).request?.type !== 'string') throw badRequest('Not an Alexa request envelope', undefined, 'INVALID_REQUEST');
    if (skillId && skillIdOf(body) !== skillId) throw badRequest('Request is for another skill', undefined, 'WRONG_SKILL');
    skill ??= buildSkill(ctx, answers, userFor, skillId);
    return (await skill).invoke(body as RequestEnvelope);
  });
  return answers;
}
