/**
 * The agent's system prompt parts: shipped in `prompts/`, edited copies in `DATA_DIR/prompts/` win.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileDurable } from './store/durable-file.ts';

export const PROMPT_NAMES = ['rules', 'character', 'self'] as const;
export type PromptName = (typeof PROMPT_NAMES)[number];

export class Prompts {
  readonly names = PROMPT_NAMES;
  /**
   * Each part's text, or its read while one is under way: the turns that start together on a fresh server (1,000 at
   * once in issue #16's open-streams row) share one read of each file instead of each reading all three. Once read,
   * the text itself, so a turn takes it without waiting on a promise.
   */
  private cache = new Map<PromptName, string | Promise<string>>();
  /** The last joined prompt: one string shared by every turn rather than a new copy per turn (issue #16's heap diff). */
  private joined: { parts: string[]; text: string } | undefined;
  /** Called after this instance edited or reverted a prompt (the cluster tells the other instances to `forget`). */
  onChanged: (name: PromptName) => void = () => {};
  constructor(private readonly shippedDir: string, private readonly editedDir: string) {}

  private edited(name: PromptName) {
    return path.join(this.editedDir, `${name}.md`);
  }

  async read(name: PromptName): Promise<{ content: string; path: string; edited: boolean }> {
    const edited = this.edited(name);
    if (existsSync(edited)) return { content: await readFile(edited, 'utf8'), path: edited, edited: true };
    const shipped = path.join(this.shippedDir, `${name}.md`);
    return { content: existsSync(shipped) ? await readFile(shipped, 'utf8') : '', path: shipped, edited: false };
  }

  async write(name: PromptName, content: string): Promise<number> {
    await writeFileDurable(this.edited(name), content);
    this.cache.delete(name);
    this.onChanged(name);
    return Buffer.byteLength(content);
  }

  async revert(name: PromptName): Promise<void> {
    await rm(this.edited(name), { force: true });
    this.cache.delete(name);
    this.onChanged(name);
  }

  /** Drop the cached text (another instance edited the file in the shared DATA_DIR). */
  forget(name?: PromptName): void {
    if (name) this.cache.delete(name);
    else this.cache.clear();
  }

  /** One part's trimmed text, read once until edited; a failed read is not kept (the next turn reads again). */
  private part(name: PromptName): string | Promise<string> {
    const known = this.cache.get(name);
    if (known !== undefined) return known;
    const reading = this.read(name).then((r) => r.content.trim());
    this.cache.set(name, reading);
    // Still this read's entry (no edit came meanwhile): keep the text, or drop a failure.
    reading.then(
      (text) => this.cache.get(name) === reading && this.cache.set(name, text),
      () => this.cache.get(name) === reading && this.cache.delete(name),
    );
    return reading;
  }

  /** rules + character + self, for the system prompt (cached until edited). */
  async system(): Promise<string> {
    const parts: string[] = [];
    for (const n of PROMPT_NAMES) {
      const known = this.part(n);
      const c = typeof known === 'string' ? known : await known;
      if (c) parts.push(c);
    }
    const last = this.joined;
    if (last && last.parts.length === parts.length && last.parts.every((p, i) => p === parts[i])) return last.text;
    this.joined = { parts, text: parts.join('\n\n') };
    return this.joined.text;
  }
}
