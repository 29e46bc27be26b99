/** `/api/keys`: which key names may be written, and the masked listing. */
import type { PluginContext } from '../../core/plugin-api/index.ts';

/** Keys of integrations that are not providers (listed under `other_keys`). */
export const OTHER_KEYS = [
  'TELEGRAM_BOT_TOKEN',
  'ELEVENLABS_API_KEY',
  'GOOGLE_OAUTH_CLIENT_ID',
  'GOOGLE_OAUTH_CLIENT_SECRET',
  'ALEXA_SKILL_ID',
];

/** `^[A-Z][A-Z0-9_]*_(KEY|TOKEN|SECRET|ID)$` — anything else (PATH, NODE_OPTIONS, …) is refused unless declared. */
export const KEY_NAME = /^[A-Z][A-Z0-9_]*_(KEY|TOKEN|SECRET|ID)$/;
/** Never writable through the API, whatever their shape. */
const FORBIDDEN = new Set(['JWT_SECRET']);

export function declaredKeyNames(ctx: PluginContext): Set<string> {
  const names = new Set(OTHER_KEYS);
  for (const p of ctx.host.declaredKeys()) for (const k of p.keys) names.add(k);
  return names;
}

export function isAllowedKey(ctx: PluginContext, name: string): boolean {
  if (FORBIDDEN.has(name)) return false;
  return declaredKeyNames(ctx).has(name) || KEY_NAME.test(name);
}

export function listKeys(ctx: PluginContext) {
  const entry = (key: string) => ({ key, set: ctx.secrets.has(key), masked: ctx.secrets.mask(ctx.secrets.get(key)) });
  const providerKeys = new Set<string>();
  const providers = ctx.host.declaredKeys().map((p) => {
    p.keys.forEach((k) => providerKeys.add(k));
    return { label: p.label, env_keys: p.keys.map(entry) };
  });
  const other = OTHER_KEYS.filter((k) => !providerKeys.has(k));
  // Keys saved earlier through the API that no plugin declares any more stay visible (masked).
  for (const k of Object.keys(process.env)) if (KEY_NAME.test(k) && !providerKeys.has(k) && !other.includes(k) && k.startsWith('AION_')) other.push(k);
  return { providers, other_keys: other.map(entry) };
}
