/**
 * Fast seeding for the memory benches: N memories of one user written in the files driver's own on-disk form
 * (`core/memory/persistence.ts`: the `.jsonl` log of puts and the `.vec` side file, through the driver's encoders),
 * with vectors of the default embedder computed in batches — one write per file instead of N durable appends. The
 * driver then loads them as it loads any partition, and `copyMemoriesToPostgres` copies them in batches.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildEntry, checkInput, unitLength } from '../../core/memory/entry.ts';
import { LocalEmbedder } from '../../core/memory/local-embedder.ts';
import { encodeUserId, encodeVectorRecord } from '../../core/memory/persistence.ts';

/** Write `contents` as memories of `userId` under `dataDir/memory/`; returns the embedder id used. */
export async function seedMemoryFiles(dataDir: string, userId: string, contents: string[], salience: (i: number) => number): Promise<string> {
  const embedder = unitLength(new LocalEmbedder());
  const lines: string[] = [];
  const vectors: Buffer[] = [];
  const now = Date.now();
  for (let start = 0; start < contents.length; start += 512) {
    const batch = contents.slice(start, start + 512);
    const embedded = await embedder.embed(batch);
    batch.forEach((content, k) => {
      const i = start + k;
      const input = { content, salience: salience(i) };
      const entry = buildEntry(userId, checkInput(userId, input, randomUUID), input, { id: embedder.id, dims: embedder.dims }, now - (contents.length - i));
      lines.push(JSON.stringify({ t: 'put', e: entry }));
      vectors.push(encodeVectorRecord(entry.id, embedder.id, embedded[k]!));
    });
  }
  const dir = path.join(dataDir, 'memory');
  await mkdir(dir, { recursive: true });
  const stem = encodeUserId(userId);
  await writeFile(path.join(dir, `${stem}.jsonl`), `${lines.join('\n')}\n`);
  await writeFile(path.join(dir, `${stem}.vec`), Buffer.concat(vectors));
  return embedder.id;
}
