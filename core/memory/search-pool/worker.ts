/**
 * A memory search worker: replicas of every full-text index (entries + minisearch, from the changes the main thread
 * broadcasts, in order) and views of the vector indexes' shared rows. It answers searches with the same ranking
 * code the main thread runs without workers (`rank.ts` via `search.ts`), so results do not depend on where they ran.
 */
import { parentPort } from 'node:worker_threads';
import pino from 'pino';
import { wantNativeScan } from '../exact-scan.ts';
import { acceptFor, rankText } from '../search-rank.ts';
import { LocalTextIndex } from '../text-local.ts';
import { RowTable } from '../vector-rows.ts';
import { exactTopK } from '../vector-scan.ts';
import type { FromWorker, RequestOp, SearchEntry, ToWorker } from './protocol.ts';

interface TextReplica {
  entries: Map<string, SearchEntry>;
  index: LocalTextIndex;
}

const texts = new Map<number, TextReplica>();
const vectors = new Map<number, RowTable>();
const port = parentPort!;
const log = pino({ level: 'warn', name: 'memory-search-worker' });

function textOf(handle: number): TextReplica {
  let t = texts.get(handle);
  if (!t) {
    t = { entries: new Map(), index: new LocalTextIndex() };
    texts.set(handle, t);
  }
  return t;
}

function reply(answer: FromWorker): void {
  port.postMessage(answer);
}

/** Apply one change. Builds answer when done (they run in chunks, so later messages interleave with them). */
function change(msg: Exclude<ToWorker, RequestOp>): void {
  switch (msg.op) {
    case 'text-put': {
      const t = textOf(msg.text);
      t.entries.set(msg.entry.id, msg.entry);
      t.index.set(msg.entry);
      return;
    }
    case 'text-del': {
      const t = textOf(msg.text);
      t.entries.delete(msg.id);
      t.index.delete(msg.id);
      return;
    }
    case 'text-build': {
      const t: TextReplica = { entries: new Map(msg.entries.map((e) => [e.id, e])), index: new LocalTextIndex() };
      texts.set(msg.text, t);
      const how = t.index.restoreOrBuild(msg.snapshot, [...t.entries.keys()], (id) => t.entries.get(id));
      if (msg.req) void how.then((built) => reply({ req: msg.req, ok: true, built }), (error: unknown) => reply({ req: msg.req, ok: false, error: String(error) }));
      return;
    }
    case 'text-drop':
      texts.delete(msg.text);
      return;
    case 'vec-open': {
      const table = new RowTable(msg.buffers);
      table.idOfSlot = new Array<string>(msg.used).fill('');
      for (const [id, slot] of msg.live) table.assign(id, slot);
      vectors.set(msg.vec, table);
      return;
    }
    case 'vec-put':
      vectors.get(msg.vec)?.assign(msg.id, msg.slot);
      return;
    case 'vec-del':
      vectors.get(msg.vec)?.remove(msg.id);
      return;
    case 'vec-buffers':
      vectors.get(msg.vec)?.adopt(msg.buffers, msg.ids);
      return;
    case 'vec-drop':
      vectors.delete(msg.vec);
      return;
  }
}

async function answer(msg: RequestOp): Promise<FromWorker> {
  const t = textOf(msg.text);
  if (msg.op === 'text-snapshot') {
    await t.index.whenReady();
    return { req: msg.req, ok: true, snapshot: t.index.snapshot() };
  }
  await t.index.whenReady();
  const accept = acceptFor(msg.query, msg.now);
  const plan = msg.vectors;
  let vectorIds: string[] = [];
  if (plan.kind === 'ids') vectorIds = plan.ids;
  else if (plan.kind === 'scan') {
    const table = vectors.get(plan.vec);
    if (table) vectorIds = exactTopK(table, plan.query, plan.k, (id) => accept(t.entries.get(id)), plan.minSim).map((h) => h.id);
  }
  const { hits, total } = rankText({ entries: t.entries, text: t.index }, msg.query, msg.search, vectorIds, msg.now);
  return { req: msg.req, ok: true, hits, total };
}

await wantNativeScan(log);
port.on('message', (msg: ToWorker) => {
  if (msg.op === 'search' || msg.op === 'text-snapshot') {
    answer(msg).then(reply, (error: unknown) => reply({ req: msg.req, ok: false, error: String(error) }));
  } else change(msg);
});
