/**
 * Which provider and model serve a request: explicit provider/model, else the model's prefix, else enterprise routing
 * rules, else the active setting, else the first configured provider, else `echo` (offline default).
 */
import type { ProviderDefinition, User } from '../plugin-api/types.ts';
import { badRequest, forbidden } from '../errors.ts';
import { acceptedModel, acceptsModel, providerForModel as providerFor } from '../plugin-api/models.ts';
import type { GlobalSettings } from '../settings.ts';
import { routedModel } from './turn-settings.ts';

export interface ProviderLookup {
  get(id: string): ProviderDefinition | undefined;
  all(): ProviderDefinition[];
}

/** Preference order when nothing is chosen: real providers with a key first, the echo test provider last. */
// The Claude CLI is chosen only explicitly: an installed CLI is not a configured key.
const PREFERENCE = ['anthropic', 'openai', 'gemini', 'ollama'];

/** The provider a model name belongs to, by prefix (`claude`→anthropic, `gpt`/`o1`…→openai, `ollama/`→ollama, …). */
export function providerForModel(providers: ProviderLookup, model: string): ProviderDefinition | undefined {
  return providerFor(providers.all(), model);
}

/** May `user` use `provider`? Admins always; plain users as the provider's `access` says (a throwing check = no). */
export function mayUse(provider: ProviderDefinition, user: User): boolean {
  if (user.role === 'admin' || user.isAdmin) return true;
  const access = provider.access ?? 'everyone';
  if (access === 'everyone') return true;
  if (access === 'admin') return false;
  try {
    return access(user) === true;
  } catch {
    return false;
  }
}

const refused = (provider: ProviderDefinition) =>
  forbidden(`Provider ${provider.id} is available only to admins and the users an admin allowed`, 'PROVIDER_FORBIDDEN');

/**
 * The active provider/model from settings, falling back to a configured provider, then echo. With `user`, providers
 * that user may not use are passed over (an admin's active Claude CLI is not chosen for everyone else).
 */
export function activeModel(providers: ProviderLookup, settings: GlobalSettings, user?: User): { provider: ProviderDefinition | undefined; model: string } {
  const usable = (p: ProviderDefinition | undefined): p is ProviderDefinition => !!p && p.isConfigured() && (!user || mayUse(p, user));
  const chosen = settings.provider ? providers.get(settings.provider) : settings.model ? providerForModel(providers, settings.model) : undefined;
  if (usable(chosen)) return { provider: chosen, model: settings.model || chosen.models[0] || '' };
  for (const id of PREFERENCE) {
    const p = providers.get(id);
    if (usable(p)) return { provider: p, model: p.models[0] ?? '' };
  }
  const echo = providers.get('echo');
  return { provider: echo, model: echo?.models[0] ?? 'echo-1' };
}

export function resolveModel(
  providers: ProviderLookup,
  settings: GlobalSettings,
  user: User,
  providerId?: string,
  model?: string,
  message?: string,
): { provider: ProviderDefinition; model: string } {
  if (!providerId && !model) return defaultModel(providers, settings, user, message);
  // An explicit choice: the one acceptance check every door shares (`plugin-api/models.ts`).
  const chosen = acceptedModel(providers.all(), { provider: providerId, model });
  const provider = chosen.provider;
  // Before the configuration check: a refused user learns nothing about the provider's state.
  if (!mayUse(provider, user)) throw refused(provider);
  if (!provider.isConfigured()) throw badRequest(`Provider ${provider.id} is not configured (set ${provider.envKeys.join(' or ') || 'its key'})`, undefined, 'PROVIDER_NOT_CONFIGURED');
  return chosen;
}

/** Nothing chosen: enterprise routing rules, else the active setting (or a configured provider, else echo). */
function defaultModel(providers: ProviderLookup, settings: GlobalSettings, user: User, message?: string): { provider: ProviderDefinition; model: string } {
  if (user.plan === 'enterprise' || user.role === 'admin') {
    const routed = routeFor(providers, settings, user, message ?? '');
    if (routed) return routed;
  }
  const active = activeModel(providers, settings, user);
  if (!active.provider) throw badRequest('No provider is available', undefined, 'NO_PROVIDER');
  return { provider: active.provider, model: active.model };
}

/** Custom routing (enterprise): our rules, or the original's task kinds; only to a configured provider. */
function routeFor(providers: ProviderLookup, settings: GlobalSettings, user: User, message: string): { provider: ProviderDefinition; model: string } | undefined {
  const routing = settings.task_routing;
  if (!Array.isArray(routing)) {
    const model = routedModel(settings, message);
    const provider = model ? providerForModel(providers, model) : undefined;
    return provider?.isConfigured() && mayUse(provider, user) && model ? { provider, model } : undefined;
  }
  const rule = routing.find((r) => (r.userId ? r.userId === user.id : true) && (r.match ? safeTest(r.match, message) : !!r.userId));
  const provider = rule ? providers.get(rule.provider) : undefined;
  return rule && provider?.isConfigured() && mayUse(provider, user) && (!rule.model || acceptsModel(provider, rule.model)) ? { provider, model: rule.model || provider.models[0] || '' } : undefined;
}

function safeTest(pattern: string, text: string): boolean {
  try {
    return new RegExp(pattern, 'i').test(text.slice(0, 2000));
  } catch {
    return false;
  }
}
