/**
 * Character manager: `update_character(section, content, reason?)` edits a `## section` of the character prompt.
 * The character prompt (`prompts/character.md`, edited copy in `DATA_DIR/prompts/`) belongs to the installation, so
 * only an admin's edits write it. Other users get their own character sections, stored per user and added to their
 * turns only — one user can never change how the agent behaves toward another.
 */
import { z } from 'zod';
import { badRequest, definePlugin, type PluginContext, type User } from '../../core/plugin-api/index.ts';
import { stripStamps, upsertSection } from './sections.ts';

interface Personal { id: 'character'; content: string; updatedAt: number }

const MAX_CHARS = 50_000;
const personalOf = (ctx: PluginContext, userId: string) => ctx.store.forUser(userId).collection<Personal>('character');

async function updateCharacter(ctx: PluginContext, user: User, args: { section: string; content: string; reason?: string }) {
  const section = args.section.trim().replace(/^#+\s*/, '');
  const content = args.content.trim();
  if (!section || !content) throw badRequest("'section' and 'content' are required", undefined, 'INVALID_CHARACTER');
  if (/\n/.test(section)) throw badRequest('section is one line', undefined, 'INVALID_CHARACTER');
  const stamp = `<!-- character-manager: updated ${new Date().toISOString()}${args.reason ? ` | reason: ${args.reason.replace(/-->/g, '').slice(0, 200)}` : ''} -->`;
  if (user.isAdmin) {
    const current = (await ctx.host.prompts.read('character')).content;
    const next = `${upsertSection(stripStamps(current), section, content).trimEnd()}\n\n${stamp}\n`;
    if (next.length > MAX_CHARS) throw badRequest(`The character prompt would exceed ${MAX_CHARS} characters`, undefined, 'CHARACTER_TOO_LONG');
    await ctx.host.prompts.write('character', next);
    return { ok: true, section, scope: 'shared', timestamp: new Date().toISOString() };
  }
  const coll = personalOf(ctx, user.id);
  const next = upsertSection((await coll.get('character'))?.content ?? '', section, content).trim();
  if (next.length > MAX_CHARS) throw badRequest(`Your character notes would exceed ${MAX_CHARS} characters`, undefined, 'CHARACTER_TOO_LONG');
  await coll.put({ id: 'character', content: next, updatedAt: Date.now() });
  return { ok: true, section, scope: 'personal', timestamp: new Date().toISOString() };
}

export default definePlugin({
  name: 'character-manager',
  version: '1.0.0',
  description: "update_character(section, content, reason): the admin's edits write the character prompt; other users' sections stay theirs",
  setup(ctx) {
    ctx.tools.register({
      name: 'update_character',
      description: "Update a section of AION's evolving character (Markdown). Call when you learn something new about yourself or the user. Sections e.g.: user, insights, improvements, humor, quirks, presence, personality.",
      input: z.object({
        section: z.string().max(100).describe("Which section, e.g. 'user', 'insights', 'presence'"),
        content: z.string().max(10_000).describe('The new content of that section (Markdown)'),
        reason: z.string().max(500).optional().describe('Why this change?'),
      }),
      risk: 'write',
      run: (a, call) => updateCharacter(ctx, call.user, a),
    });
    ctx.hooks.systemContext(async ({ user }) => {
      const mine = await personalOf(ctx, user.id).get('character');
      return mine?.content ? `## Character notes for this user\n${mine.content}` : undefined;
    });
    ctx.routes.get('/character', { summary: "The character prompt and the caller's own character sections" }, async (_c, { user }) => ({
      shared: user.isAdmin ? (await ctx.host.prompts.read('character')).content : undefined,
      personal: (await personalOf(ctx, user.id).get('character'))?.content ?? '',
    }));
  },
});
