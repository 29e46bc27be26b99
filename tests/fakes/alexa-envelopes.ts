/**
 * Alexa request envelopes (v1.0) as Amazon sends them, for tests: launch, intents with slots, session end.
 */
import { randomUUID } from 'node:crypto';

export interface EnvelopeOptions {
  skillId: string;
  sessionId?: string;
  locale?: string;
  /** ISO time of the request; default now. */
  timestamp?: string;
  accessToken?: string;
}

function envelope(request: Record<string, unknown>, o: EnvelopeOptions) {
  const application = { applicationId: o.skillId };
  const user = { userId: 'amzn1.ask.account.TESTUSER', ...(o.accessToken ? { accessToken: o.accessToken } : {}) };
  return {
    version: '1.0',
    session: { new: false, sessionId: o.sessionId ?? `amzn1.echo-api.session.${randomUUID()}`, application, attributes: {}, user },
    context: {
      System: { application, user, device: { deviceId: 'amzn1.ask.device.TEST', supportedInterfaces: {} }, apiEndpoint: 'https://api.amazonalexa.com' },
    },
    request: { requestId: `amzn1.echo-api.request.${randomUUID()}`, timestamp: o.timestamp ?? new Date().toISOString(), locale: o.locale ?? 'en-US', ...request },
  };
}

export const launchRequest = (o: EnvelopeOptions) => envelope({ type: 'LaunchRequest' }, o);

export const intentRequest = (name: string, slots: Record<string, string | undefined>, o: EnvelopeOptions) =>
  envelope({
    type: 'IntentRequest',
    dialogState: 'COMPLETED',
    intent: {
      name,
      confirmationStatus: 'NONE',
      slots: Object.fromEntries(Object.entries(slots).map(([k, v]) => [k, { name: k, confirmationStatus: 'NONE', ...(v === undefined ? {} : { value: v }) }])),
    },
  }, o);

export const sessionEndedRequest = (o: EnvelopeOptions) => envelope({ type: 'SessionEndedRequest', reason: 'USER_INITIATED' }, o);
