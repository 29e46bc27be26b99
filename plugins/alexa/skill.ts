/**
 * The Alexa skill (ask-sdk-core): launch, `AionCommandIntent` (slot `command` → the agent), help, stop/cancel,
 * session end, and a catch-all. Speech is plain text with a simple card, like the original's envelope.
 */
import { getIntentName, getLocale, getRequestType, getSlotValue, type HandlerInput, SkillBuilders } from 'ask-sdk-core';
import type { RequestEnvelope, Response } from 'ask-sdk-model';
import type { PluginContext, User } from '../../core/plugin-api/index.ts';
import type { AlexaAnswers } from './answers.ts';

export const TEXT = {
  launch: 'AION is ready. What can I do for you?',
  reprompt: 'What can I do for you?',
  help: 'Say for example: ask AION what is on my calendar today. I pass everything you say to your AION agent.',
  bye: 'Goodbye.',
  notUnderstood: "Sorry, I didn't catch that. Please say it again.",
  unknownIntent: "Sorry, I don't know that command. Say help to hear what I can do.",
  noAccount: 'There is no AION account yet. Create one in the web app first.',
  failed: 'Sorry, something went wrong.',
} as const;

/** A plain-text response (Alexa v1.0 `response`). */
function say(text: string, endSession = false, reprompt?: string): Response {
  return {
    outputSpeech: { type: 'PlainText', text },
    card: { type: 'Simple', title: 'AION', content: text },
    ...(reprompt && !endSession ? { reprompt: { outputSpeech: { type: 'PlainText', text: reprompt } } } : {}),
    shouldEndSession: endSession,
  };
}

const isIntent = (input: HandlerInput, ...names: string[]) =>
  getRequestType(input.requestEnvelope) === 'IntentRequest' && names.includes(getIntentName(input.requestEnvelope));

/** Build the skill. `userFor` picks the AION account a request acts as. */
export function buildSkill(ctx: PluginContext<any>, answers: AlexaAnswers, userFor: (env: RequestEnvelope) => Promise<User | undefined>, skillId?: string) {
  const withPending = async (user: User, text: string) => {
    const pending = await answers.takePending(user);
    return pending ? `${pending} ${text}` : text;
  };
  const builder = SkillBuilders.custom()
    .addRequestHandlers(
      {
        canHandle: (input) => getRequestType(input.requestEnvelope) === 'LaunchRequest',
        async handle(input) {
          const user = await userFor(input.requestEnvelope);
          if (!user) return say(TEXT.noAccount, true);
          return say(await withPending(user, TEXT.launch), false, TEXT.reprompt);
        },
      },
      {
        canHandle: (input) => isIntent(input, 'AionCommandIntent'),
        async handle(input) {
          const user = await userFor(input.requestEnvelope);
          if (!user) return say(TEXT.noAccount, true);
          const command = (getSlotValue(input.requestEnvelope, 'command') ?? '').trim();
          if (!command) return say(TEXT.notUnderstood, false, TEXT.reprompt);
          const pending = await answers.takePending(user);
          const answer = await answers.ask(user, command, getLocale(input.requestEnvelope) || 'en-US', input.requestEnvelope.session?.sessionId ?? 'no-session');
          return say(pending ? `${pending} ${answer}` : answer);
        },
      },
      {
        canHandle: (input) => isIntent(input, 'AMAZON.HelpIntent'),
        handle: () => say(TEXT.help, false, TEXT.reprompt),
      },
      {
        canHandle: (input) => isIntent(input, 'AMAZON.StopIntent', 'AMAZON.CancelIntent'),
        handle: () => say(TEXT.bye, true),
      },
      {
        canHandle: (input) => getRequestType(input.requestEnvelope) === 'IntentRequest',
        handle: () => say(TEXT.unknownIntent, false, TEXT.reprompt),
      },
      {
        // Alexa ignores any speech here; the session is over.
        canHandle: (input) => getRequestType(input.requestEnvelope) === 'SessionEndedRequest',
        handle: () => ({}),
      },
      {
        canHandle: () => true,
        handle: () => say(TEXT.notUnderstood, false, TEXT.reprompt),
      },
    )
    .addErrorHandlers({
      canHandle: () => true,
      handle(_input, error) {
        ctx.log.error({ err: { message: String(error?.message ?? error) } }, 'alexa: handler failed');
        return say(TEXT.failed);
      },
    });
  if (skillId) builder.withSkillId(skillId);
  return builder.create();
}
