/**
 * The Alexa skill (ask-sdk-core): launch, `AionCommandIntent` (slot `command` → the agent), yes/no (the answer to a
 * tool approval the agent asked for), help, stop/cancel, session end, and a catch-all. Speech is plain text with a
 * simple card, like the original's envelope. The SDK is loaded when the first request comes, not with the plugin.
 */
import type { HandlerInput, RequestHandler } from 'ask-sdk-core';
import type { RequestEnvelope, Response } from 'ask-sdk-model';
import type { PluginContext, User } from '../../core/plugin-api/index.ts';
import type { AlexaAnswers, Spoken } from './answers.ts';

export const TEXT = {
  launch: 'AION is ready. What can I do for you?',
  reprompt: 'What can I do for you?',
  help: 'Say for example: ask AION what is on my calendar today. I pass everything you say to your AION agent.',
  bye: 'Goodbye.',
  notUnderstood: "Sorry, I didn't catch that. Please say it again.",
  unknownIntent: "Sorry, I don't know that command. Say help to hear what I can do.",
  noAccount: 'There is no usable AION account for this skill. Create one in the web app, or link your account again in the Alexa app.',
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

/** An answer; one that asks for a yes or no keeps the session open for it. */
const speak = (spoken: Spoken) => (spoken.confirming ? say(spoken.text, false, 'Say yes or no.') : say(spoken.text));

/** A spoken yes or no as a command ("ja", "yes", "nein", "no"), when the skill model hands it over as text. */
function yesOrNo(command: string): boolean | undefined {
  const word = command.trim().replace(/[.!]+$/, '').toLowerCase();
  if (['ja', 'yes', 'ok', 'okay', 'jawohl'].includes(word)) return true;
  if (['nein', 'no', 'nope'].includes(word)) return false;
  return undefined;
}

type AskSdk = typeof import('ask-sdk-core');
type UserFor = (env: RequestEnvelope) => Promise<User | undefined>;

/** Request classifiers over the lazily loaded SDK. */
function matchers({ getIntentName, getRequestType }: AskSdk) {
  return {
    isRequest: (input: HandlerInput, type: string) => getRequestType(input.requestEnvelope) === type,
    isIntent: (input: HandlerInput, ...names: string[]) =>
      getRequestType(input.requestEnvelope) === 'IntentRequest' && names.includes(getIntentName(input.requestEnvelope)),
  };
}

/** The handlers that act as a user: launch (with any pending answer), a command for the agent, yes/no to an approval. */
function agentHandlers(sdk: AskSdk, answers: AlexaAnswers, userFor: UserFor): RequestHandler[] {
  const { isRequest, isIntent } = matchers(sdk);
  const localeOf = (input: HandlerInput) => sdk.getLocale(input.requestEnvelope) || 'en-US';
  const launch: RequestHandler = {
    canHandle: (input) => isRequest(input, 'LaunchRequest'),
    async handle(input) {
      const user = await userFor(input.requestEnvelope);
      if (!user) return say(TEXT.noAccount, true);
      const pending = await answers.takePending(user);
      return say(pending ? `${pending} ${TEXT.launch}` : TEXT.launch, false, TEXT.reprompt);
    },
  };
  const command: RequestHandler = {
    canHandle: (input) => isIntent(input, 'AionCommandIntent'),
    async handle(input) {
      const user = await userFor(input.requestEnvelope);
      if (!user) return say(TEXT.noAccount, true);
      const text = (sdk.getSlotValue(input.requestEnvelope, 'command') ?? '').trim();
      if (!text) return say(TEXT.notUnderstood, false, TEXT.reprompt);
      const answer = yesOrNo(text);
      if (answer !== undefined && answers.awaitsConfirmation(user)) return speak(await answers.confirm(user, answer, localeOf(input)));
      const pending = await answers.takePending(user);
      const spoken = await answers.ask(user, text, localeOf(input), input.requestEnvelope.session?.sessionId ?? 'no-session');
      return speak(pending ? { ...spoken, text: `${pending} ${spoken.text}` } : spoken);
    },
  };
  const confirm: RequestHandler = {
    canHandle: (input) => isIntent(input, 'AMAZON.YesIntent', 'AMAZON.NoIntent'),
    async handle(input) {
      const user = await userFor(input.requestEnvelope);
      if (!user) return say(TEXT.noAccount, true);
      return speak(await answers.confirm(user, sdk.getIntentName(input.requestEnvelope) === 'AMAZON.YesIntent', localeOf(input)));
    },
  };
  return [launch, command, confirm];
}

/** Fixed answers: help, stop/cancel, an unknown intent, session end, and the catch-all (in this order of precedence). */
function fixedHandlers(sdk: AskSdk): RequestHandler[] {
  const { isRequest, isIntent } = matchers(sdk);
  return [
    { canHandle: (input) => isIntent(input, 'AMAZON.HelpIntent'), handle: () => say(TEXT.help, false, TEXT.reprompt) },
    { canHandle: (input) => isIntent(input, 'AMAZON.StopIntent', 'AMAZON.CancelIntent'), handle: () => say(TEXT.bye, true) },
    { canHandle: (input) => isRequest(input, 'IntentRequest'), handle: () => say(TEXT.unknownIntent, false, TEXT.reprompt) },
    // Alexa ignores any speech here; the session is over.
    { canHandle: (input) => isRequest(input, 'SessionEndedRequest'), handle: () => ({}) },
    { canHandle: () => true, handle: () => say(TEXT.notUnderstood, false, TEXT.reprompt) },
  ];
}

/** Build the skill. `userFor` picks the AION account a request acts as. */
export async function buildSkill(ctx: PluginContext<any>, answers: AlexaAnswers, userFor: UserFor, skillId?: string) {
  const sdk = await import('ask-sdk-core');
  const builder = sdk.SkillBuilders.custom()
    .addRequestHandlers(...agentHandlers(sdk, answers, userFor), ...fixedHandlers(sdk))
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
