/**
 * The one "is this model accepted" check: every place a model is chosen (AION `/api/model`, a chat turn of either
 * dialect, the OpenAI-compatible `/v1`, task routing, fallbacks, Telegram's `/model`) asks it, so a name one door
 * refuses is refused by all, with the same coded error.
 */
import { badRequest, type AppError } from '../errors.ts';
import type { ProviderDefinition } from './providers.ts';

/** Does `provider` take `model`: one of its models, a name with one of its prefixes, or any name when it says so. */
export function acceptsModel(provider: ProviderDefinition, model: string): boolean {
  if (provider.acceptsAnyModel || provider.models.includes(model)) return true;
  const lower = model.toLowerCase();
  return provider.prefixes.some((prefix) => lower.startsWith(prefix.toLowerCase()));
}

/** The provider a model name belongs to: the one listing it, else the one with the longest matching prefix. */
export function providerForModel(providers: Iterable<ProviderDefinition>, model: string): ProviderDefinition | undefined {
  const lower = model.toLowerCase();
  let best: { p: ProviderDefinition; len: number } | undefined;
  for (const p of providers) {
    if (p.models.includes(model)) return p;
    for (const prefix of p.prefixes) {
      if (lower.startsWith(prefix.toLowerCase()) && (!best || prefix.length > best.len)) best = { p, len: prefix.length };
    }
  }
  return best?.p;
}

/** The error of a refused model: 400 `UNKNOWN_MODEL`, naming the provider when one was chosen. */
export function unknownModel(model: string, provider?: ProviderDefinition): AppError {
  return badRequest(provider ? `Unknown model for ${provider.id}: ${model}` : `Unknown model: ${model}`, undefined, 'UNKNOWN_MODEL');
}

/**
 * The provider and model for an explicit choice, or a coded 400: `UNKNOWN_PROVIDER` for a provider id nobody
 * registered, `UNKNOWN_MODEL` for a model no provider (or not the chosen one) takes. `openai/gpt-4o` with provider
 * `openai` means `gpt-4o`; no model means the provider's default.
 */
export function acceptedModel(providers: Iterable<ProviderDefinition>, choice: { provider?: string; model?: string }): { provider: ProviderDefinition; model: string } {
  const all = [...providers];
  const requested = choice.model?.trim() ?? '';
  let provider: ProviderDefinition | undefined;
  if (choice.provider) {
    provider = all.find((p) => p.id === choice.provider);
    if (!provider) throw badRequest(`Unknown provider: ${choice.provider}`, undefined, 'UNKNOWN_PROVIDER');
  } else {
    provider = providerForModel(all, requested);
    if (!provider) throw unknownModel(requested);
  }
  const own = `${provider.id}/`;
  const model = requested.startsWith(own) && !provider.prefixes.includes(own) ? requested.slice(own.length) : requested;
  if (model && !acceptsModel(provider, model)) throw unknownModel(requested, provider);
  return { provider, model: model || provider.models[0] || '' };
}
