/**
 * What `undo_edit` restores: the content before each editor change, per user and file, in memory (lost on restart, as
 * in the original). Bounded: a few snapshots per user, none above 1 MB, so it cannot grow without limit.
 */
const MAX_SNAPSHOTS_PER_USER = 20;
const MAX_SNAPSHOT_CHARS = 1024 * 1024;

export class UndoHistory {
  private byUser = new Map<string, Array<{ path: string; content: string }>>();

  push(userId: string, path: string, content: string): void {
    if (content.length > MAX_SNAPSHOT_CHARS) return;
    const list = this.byUser.get(userId) ?? [];
    list.push({ path, content });
    if (list.length > MAX_SNAPSHOTS_PER_USER) list.shift();
    this.byUser.set(userId, list);
  }

  /** The newest snapshot of `path`, removed; `undefined` when there is none. */
  pop(userId: string, path: string): string | undefined {
    const list = this.byUser.get(userId);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i].path === path) return list.splice(i, 1)[0].content;
    }
    return undefined;
  }

  clear(): void {
    this.byUser.clear();
  }
}
