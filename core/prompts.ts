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
  private cache = new Map<PromptName, string>();
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

  /** rules + character + self, for the system prompt (cached until edited). */
  async system(): Promise<string> {
    const parts: string[] = [];
    for (const n of PROMPT_NAMES) {
      let c = this.cache.get(n);
      if (c === undefined) {
        c = (await this.read(n)).content.trim();
        this.cache.set(n, c);
      }
      if (c) parts.push(c);
    }
    const last = this.joined;
    if (last && last.parts.length === parts.length && last.parts.every((p, i) => p === parts[i])) return last.text;
    this.joined = { parts, text: parts.join('\n\n') };
    return this.joined.text;
  }
}
