/**
 * Mood engine: the agent's mood toward each user, recomputed as turns start (time of day, the message, the last tool
 * result) unless the user set one recently; its hint is added to the turn's system prompt, and the mood appears in
 * that user's `GET /api/status` as `mood` (via `hooks.statusFields`).
 */
import { z } from 'zod';
import { definePlugin, type PluginContext } from '../../core/plugin-api/index.ts';
import { computeMood, HINTS, MOODS, type Mood } from './mood.ts';

interface MoodDoc { id: 'current'; mood: Mood; updatedAt: number; source: 'auto' | 'manual'; lastToolError?: boolean; signals?: Record<string, unknown> }

/**
 * The host's IANA zone, resolved when a mood is first computed (a function default, not a value): asking Intl at import
 * maps ~7 MB of ICU locale and zone data into a server that may never compute a mood (issue #16).
 */
let hostZone: string | undefined;
const hostTimezone = () => (hostZone ??= Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');

const Settings = z.object({
  timezone: z.string().max(64).default(hostTimezone),
  /** An automatic mood is kept this long before it is computed again. */
  recompute_minutes: z.number().min(0).max(1440).default(10),
  /** A mood set with mood_set holds this long. */
  manual_hold_minutes: z.number().min(0).max(10_080).default(60),
});
type S = z.infer<typeof Settings>;

const moodOf = (ctx: PluginContext<S>, userId: string) => ctx.store.forUser(userId).collection<MoodDoc>('mood');

async function current(ctx: PluginContext<S>, userId: string, lastMessage?: string): Promise<MoodDoc> {
  const coll = moodOf(ctx, userId);
  const doc = await coll.get('current');
  const s = ctx.settings.get();
  const now = Date.now();
  const hold = (doc?.source === 'manual' ? s.manual_hold_minutes : s.recompute_minutes) * 60_000;
  if (doc && now - doc.updatedAt < hold && lastMessage === undefined) return doc;
  if (doc?.source === 'manual' && now - doc.updatedAt < hold) return doc;
  let timezone = s.timezone;
  try { new Intl.DateTimeFormat('en', { timeZone: timezone }); } catch { timezone = 'UTC'; }
  const { mood, signals } = computeMood({ now: new Date(now), timezone, lastMessage, lastToolError: doc?.lastToolError });
  return coll.put({ id: 'current', mood, updatedAt: now, source: 'auto', lastToolError: doc?.lastToolError, signals });
}

export default definePlugin({
  name: 'mood-engine',
  version: '1.0.0',
  description: "The agent's mood per user (mood_check, mood_set), moved by time of day and recent interactions, in each turn and in /api/status",
  settings: Settings,
  setup(ctx) {
    ctx.tools.register({
      name: 'mood_check',
      description: "Show AION's current mood, its hint, when it was last updated and the signals behind it.",
      input: z.object({}),
      risk: 'read',
      run: async (_a, call) => {
        const d = await current(ctx, call.user.id);
        return { mood: d.mood, hint: HINTS[d.mood], updated_at: new Date(d.updatedAt).toISOString(), source: d.source, signals: d.signals ?? {} };
      },
    });
    ctx.tools.register({
      name: 'mood_set',
      description: `Override AION's current mood. Valid values: ${MOODS.join(', ')}.`,
      input: z.object({ mood: z.string().max(40).describe(`One of: ${MOODS.join(', ')}`) }),
      risk: 'write',
      run: async (a, call) => {
        const mood = a.mood.trim().toLowerCase() as Mood;
        if (!MOODS.includes(mood)) return { ok: false, error: `Unknown mood '${a.mood}'. Valid moods: ${MOODS.join(', ')}` };
        const prev = await moodOf(ctx, call.user.id).get('current');
        await moodOf(ctx, call.user.id).put({ id: 'current', mood, updatedAt: Date.now(), source: 'manual', lastToolError: prev?.lastToolError });
        return { ok: true, mood, hint: HINTS[mood] };
      },
    });
    ctx.hooks.onToolResult(({ user, ok, name }) => {
      if (name === 'mood_set') return;
      void moodOf(ctx, user.id).update('current', { lastToolError: !ok }).catch(() => {});
    });
    ctx.hooks.systemContext(async ({ user, message }) => {
      const d = await current(ctx, user.id, message.slice(-2000)); // the end of a long message carries its tone
      return `## Mood\nYour current mood is ${d.mood}: ${HINTS[d.mood]}`;
    });
    ctx.hooks.statusFields(async (user) => {
      const d = await current(ctx, user.id);
      return { mood: d.mood, mood_hint: HINTS[d.mood], mood_updated_at: new Date(d.updatedAt).toISOString() };
    });
  },
});
