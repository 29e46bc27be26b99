/**
 * Runtime settings: one strict schema for the host-wide settings (the original AION's names plus ours), and one
 * section per plugin that declares a `settings` schema. Stored in the global `settings` collection. Unknown keys → 400.
 */
import { z, type ZodType } from 'zod';
import type { Collection } from './plugin-api/types.ts';
import { badRequest } from './errors.ts';
import { parseInput } from './http/validate.ts';
import type { Store } from './store/store.ts';

const ThinkingLevel = z.enum(['off', 'minimal', 'standard', 'deep', 'ultra']);

/** An https:// address without credentials, query or fragment (what Alexa and Telegram webhooks accept), no trailing slash. */
const PublicUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((v) => {
    if (v === '') return true;
    try {
      const u = new URL(v);
      return u.protocol === 'https:' && !u.username && !u.password && !u.search && !u.hash;
    } catch {
      return false;
    }
  }, 'must be an https:// address (Alexa and Telegram accept only HTTPS), without credentials or query')
  .transform((v) => v.replace(/\/+$/, ''));

/** Host-wide settings with defaults. */
export const GlobalSettingsSchema = z.strictObject({
  /** Active provider and model; empty = the best configured provider, else echo. */
  provider: z.string().max(64).default(''),
  model: z.string().max(128).default(''),
  /** `off` (the original's name; `none` is the same), `elevenlabs`. The original's edge/sapi5/pyttsx3 are refused by the route. */
  tts_engine: z.enum(['off', 'none', 'elevenlabs']).default('off'),
  tts_voice: z.string().max(128).default(''),
  /** Models to try when the active one fails, in order. */
  model_fallback: z.array(z.string().max(128)).max(10).default([]),
  /**
   * Enterprise routing: the original's object (task kind `coding`/`review`/`browsing`/`default` → model), or our rules
   * (pattern on the message or user id → provider/model).
   */
  task_routing: z
    .union([
      z.strictObject({ coding: z.string().max(128).optional(), review: z.string().max(128).optional(), browsing: z.string().max(128).optional(), default: z.string().max(128).optional() }),
      z.array(z.strictObject({ match: z.string().max(200).optional(), userId: z.string().max(128).optional(), provider: z.string().max(64), model: z.string().max(128) })).max(50),
    ])
    .default([]),
  /** A cheap model that checks each final answer: did it announce an action without calling a tool? Empty = no check. */
  check_model: z.string().max(128).default(''),
  /** Kept for the original client; AION ships no browser tool that reads it yet. */
  browser_headless: z.boolean().default(true),
  thinking_level: ThinkingLevel.default('off'),
  /** Model name or channel pattern (`telegram*`, `web`) → level. */
  thinking_overrides: z.record(z.string().max(128), ThinkingLevel).default({}),
  /** Channels that may talk to the agent (`web`, `telegram`, `alexa`; `*` suffix wildcard); empty = all. */
  channel_allowlist: z.array(z.string().max(64)).max(100).default([]),
  max_history_turns: z.number().int().min(1).max(500).default(40),
  /** Agent loop: model calls per turn at most. */
  max_steps: z.number().int().min(1).max(50).default(8),
  max_tokens: z.number().int().min(64).max(200000).default(4096),
  approval_timeout_ms: z.number().int().min(1000).max(3_600_000).default(120_000),
  tool_timeout_ms: z.number().int().min(100).max(3_600_000).default(60_000),
  /** Add relevant memories to the system prompt before each turn. */
  memory_inject: z.boolean().default(true),
  memory_token_budget: z.number().int().min(0).max(8000).default(400),
  /** Embedder id for memory vectors (`local` = built-in). */
  embedder: z.string().max(128).default('local'),
  /** Code execution: the largest timeout a request may ask for. */
  code_timeout_max_ms: z.number().int().min(1000).max(600_000).default(120_000),
  /** Code execution: memory of one run, all its processes together (a memory cgroup where the machine has one). */
  code_memory_mb: z.number().int().min(32).max(65_536).default(1024),
  /** Disk space of one user's workspace (file writes refused beyond it, executed code bounded); 0 = no quota. */
  workspace_quota_mb: z.number().int().min(0).max(10_000_000).default(1024),
  /** Pro/enterprise users listed here run exec tools without approval. */
  exec_approval_off_users: z.array(z.string().max(128)).max(1000).default([]),
  /** Admin mapping of a user's workspace to a real folder. */
  workspace_roots: z.record(z.string().max(128), z.string().max(4096)).default({}),
  /** The address this server is reached at from the internet (Alexa endpoint, Telegram webhook); empty = env PUBLIC_URL. */
  public_url: PublicUrl.default(''),
});
export type GlobalSettings = z.infer<typeof GlobalSettingsSchema>;

interface SettingsDoc {
  id: string;
  values: Record<string, unknown>;
}

export class SettingsService {
  private coll: Collection<SettingsDoc>;
  private global: GlobalSettings = GlobalSettingsSchema.parse({});
  private pluginSchemas = new Map<string, ZodType<any>>();
  private pluginValues = new Map<string, Record<string, unknown>>();
  private listeners = new Map<string, Array<(s: any) => void>>();
  /** Called after this instance saved a settings document (the cluster tells the other instances to `reload`). */
  onSaved: (id: string) => void = () => {};

  constructor(store: Store) {
    this.coll = store.collection<SettingsDoc>('settings');
  }

  async load(): Promise<void> {
    for (const doc of await this.coll.all()) {
      if (doc.id === 'global') {
        const parsed = GlobalSettingsSchema.safeParse(doc.values);
        this.global = parsed.success ? parsed.data : GlobalSettingsSchema.parse({});
      } else if (doc.id.startsWith('plugin:')) this.pluginValues.set(doc.id.slice(7), doc.values);
    }
  }

  /** Read the stored settings again (another instance saved them); plugins hear of their changed sections. */
  async reload(): Promise<void> {
    const before = new Map([...this.pluginSchemas.keys()].map((name) => [name, JSON.stringify(this.plugin(name))]));
    await this.load();
    for (const [name, old] of before) {
      if (JSON.stringify(this.plugin(name)) === old) continue;
      for (const fn of this.listeners.get(name) ?? []) fn(this.plugin(name));
    }
  }

  get(): GlobalSettings {
    return this.global;
  }

  /** Everything for `/api/config`: the global settings and each plugin's section. */
  all(): Record<string, unknown> {
    const out: Record<string, unknown> = { ...this.global };
    for (const name of this.pluginSchemas.keys()) out[name] = this.plugin(name);
    return out;
  }

  /** Validate and save a partial update. Unknown keys → 400. */
  async set(patch: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw badRequest('Settings must be an object');
    const globalKeys = new Set(Object.keys(GlobalSettingsSchema.shape));
    const unknown = Object.keys(patch).filter((k) => !globalKeys.has(k) && !this.pluginSchemas.has(k));
    if (unknown.length) throw badRequest(`Unknown setting: ${unknown.join(', ')}`, unknown.map((field) => ({ field, message: 'unknown setting' })), 'UNKNOWN_SETTING');
    const globalPatch = Object.fromEntries(Object.entries(patch).filter(([k]) => globalKeys.has(k)));
    const nextGlobal = parseInput(GlobalSettingsSchema, { ...this.global, ...globalPatch }, 'body');
    const pluginNext = new Map<string, Record<string, unknown>>();
    for (const [name, value] of Object.entries(patch)) {
      if (globalKeys.has(name)) continue;
      if (!value || typeof value !== 'object') throw badRequest(`Setting ${name} must be an object`);
      pluginNext.set(name, parseInput(this.pluginSchemas.get(name)!, { ...this.plugin(name), ...(value as object) }, 'body'));
    }
    if (Object.keys(globalPatch).length) {
      this.global = nextGlobal;
      await this.coll.put({ id: 'global', values: nextGlobal });
      this.onSaved('global');
    }
    for (const [name, values] of pluginNext) await this.savePlugin(name, values);
    return this.all();
  }

  /** Declare a plugin's schema (on load). */
  registerPlugin(name: string, schema: ZodType<any> | undefined): void {
    if (schema) this.pluginSchemas.set(name, schema);
    else this.pluginSchemas.delete(name);
    this.listeners.delete(name);
  }

  plugin(name: string): any {
    const schema = this.pluginSchemas.get(name);
    const stored = this.pluginValues.get(name) ?? {};
    if (!schema) return stored;
    const parsed = schema.safeParse(stored);
    return parsed.success ? parsed.data : schema.parse({});
  }

  async savePlugin(name: string, values: Record<string, unknown>): Promise<void> {
    this.pluginValues.set(name, values);
    await this.coll.put({ id: `plugin:${name}`, values });
    this.onSaved(`plugin:${name}`);
    for (const fn of this.listeners.get(name) ?? []) fn(this.plugin(name));
  }

  onPluginChange(name: string, fn: (s: any) => void): void {
    const list = this.listeners.get(name) ?? [];
    list.push(fn);
    this.listeners.set(name, list);
  }
}
