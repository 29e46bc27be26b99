/** `/api/keys`: which key names may be written, and the masked listing. */
import type { PluginContext } from '../../core/plugin-api/index.ts';

/** Keys of integrations that are not providers (listed under `other_keys`). */
export const OTHER_KEYS = [
  'TELEGRAM_BOT_TOKEN',
  'ELEVENLABS_API_KEY',
  'GOOGLE_OAUTH_CLIENT_ID',
  'GOOGLE_OAUTH_CLIENT_SECRET',
  // The original's names, aliases of the two above; the original client shows Google sign-in when it finds this one.
  'GOOGLE_CLIENT_ID',
  'GOOGLE_CLIENT_SECRET',
  'ALEXA_SKILL_ID',
];

/** `^[A-Z][A-Z0-9_]*_(KEY|TOKEN|SECRET|ID)$` — anything else (PATH, NODE_OPTIONS, …) is refused unless declared. */
export const KEY_NAME = /^[A-Z][A-Z0-9_]*_(KEY|TOKEN|SECRET|ID)$/;
/** Declared names that hold a file path, not a secret. */
const PATH_SETTING = /_PATH$/;
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

/** Plugin-state key of the names saved through `POST /api/keys` that no provider or plugin declares. */
export const CUSTOM_KEYS = 'custom-keys';

export async function rememberCustomKeys(ctx: PluginContext, names: string[]): Promise<void> {
  const declared = declaredKeyNames(ctx);
  const known = new Set((await ctx.store.plugin.get<string[]>(CUSTOM_KEYS)) ?? []);
  for (const n of names) if (!declared.has(n)) known.add(n);
  await ctx.store.plugin.set(CUSTOM_KEYS, [...known].sort());
}

export async function forgetCustomKey(ctx: PluginContext, name: string): Promise<void> {
  const known = (await ctx.store.plugin.get<string[]>(CUSTOM_KEYS)) ?? [];
  await ctx.store.plugin.set(CUSTOM_KEYS, known.filter((k) => k !== name));
}

export async function listKeys(ctx: PluginContext) {
  // A `…_PATH` entry (CLAUDE_CLI_PATH) is a setting, not a secret: `kind: 'path'` and its value, shown as a path field.
  // Secrets keep the original shape ({ key, set, masked }).
  const entry = (key: string) =>
    PATH_SETTING.test(key)
      ? { key, kind: 'path' as const, set: ctx.secrets.has(key), masked: ctx.secrets.get(key) ?? '', value: ctx.secrets.get(key) ?? '' }
      : { key, set: ctx.secrets.has(key), masked: ctx.secrets.mask(ctx.secrets.get(key)) };
  const providerKeys = new Set<string>();
  const providers = ctx.host.declaredKeys().map((p) => {
    p.keys.forEach((k) => providerKeys.add(k));
    return { label: p.label, env_keys: p.keys.map(entry) };
  });
  const other = OTHER_KEYS.filter((k) => !providerKeys.has(k));
  // Custom keys saved through the API (any name of the key pattern) are listed too, masked, as the original did.
  for (const k of (await ctx.store.plugin.get<string[]>(CUSTOM_KEYS)) ?? []) if (!providerKeys.has(k) && !other.includes(k)) other.push(k);
  for (const k of Object.keys(process.env)) if (KEY_NAME.test(k) && !providerKeys.has(k) && !other.includes(k) && k.startsWith('AION_')) other.push(k);
  return { providers, other_keys: other.map(entry) };
}
