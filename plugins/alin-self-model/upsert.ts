/** Update-or-insert on a collection that stays correct when two requests create the same document together. */
import { isAppError, type Collection, type Doc } from '../../core/plugin-api/index.ts';

/**
 * Apply `change` to the document `id`, or insert `change(undefined)` when there is none. If another request inserts
 * the same id in between, the insert's 409 is answered by updating the document it created.
 */
export async function upsert<T extends Doc>(col: Collection<T>, id: string, change: (current: T | undefined) => T): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const updated = await col.update(id, (current) => change(current));
    if (updated) return updated;
    try {
      return await col.insert(change(undefined));
    } catch (error) {
      if (!isAppError(error) || error.status !== 409 || attempt >= 3) throw error;
    }
  }
}
