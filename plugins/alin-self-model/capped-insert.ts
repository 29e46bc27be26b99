/** Append-only logs with a cap: the decision log and the thinking traces keep their newest entries only. */
import type { Collection, Doc } from '../../core/plugin-api/index.ts';

/** Insert `doc`, then drop the oldest documents (by `timestamp`) beyond `max`, so a busy client cannot grow it forever. */
export async function insertCapped<T extends Doc & { timestamp: number }>(col: Collection<T>, doc: T, max: number): Promise<void> {
  await col.insert(doc);
  const count = await col.count();
  if (count <= max) return;
  const oldest = (await col.all()).sort((x, y) => x.timestamp - y.timestamp).slice(0, count - max);
  const drop = new Set(oldest.map((x) => x.id));
  await col.deleteWhere((x) => drop.has(x.id));
}
