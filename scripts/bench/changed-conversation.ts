/**
 * `GET /api/conversations/:id` of a conversation that just changed, without HTTP: a conversation whose messages were
 * written by this process (a chat since the start) gets one more, and the route builds its body again. Two source
 * trees in one process, alternately: CPU of the body build per GET (process.cpuUsage), median over the rounds, and
 * whether both trees give the same bytes.
 *
 * Run: `node --expose-gc --import tsx scripts/bench/changed-conversation.ts /path/to/old-tree /path/to/new-tree`
 * (`BENCH_ROUNDS`, default 10).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const TEXT = 'The quick brown fox jumps over the lazy dog while the agent explains the plan step by step. '.repeat(3);
const trees = process.argv.slice(2);
if (trees.length !== 2) throw new Error('usage: changed-conversation.ts <old tree> <new tree>');

type Partition = { insertAll(docs: object[]): Promise<void>; snapshot(): Promise<ReadonlyArray<object>> };
interface Tree {
  store: { forUser(u: string): { partitioned(n: string): { partition(k: string): Partition } }; close(): Promise<void> };
  conversationBody(head: string, messages: ReadonlyArray<unknown>): Buffer;
}

const message = (i: number) => ({
  id: `m-${i}-${Math.random().toString(36).slice(2)}`, conversationId: 'c', role: i % 2 ? 'assistant' : 'user',
  content: [{ type: 'text', text: `${i}: ${TEXT}` }], tokens: { input: 100, output: 80 }, tokensInput: 100, tokensOutput: 80,
  metadata: {}, isEdited: false, timestamp: i, createdAt: i, updatedAt: i,
});
const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dirs = trees.map(() => mkdtempSync(path.join(tmpdir(), 'changed-conversation-')));
try {
  const loaded: Tree[] = await Promise.all(trees.map(async (root, i) => ({
    store: new (await import(path.join(root, 'core/store/store.ts'))).FileStore(dirs[i], pino({ level: 'silent' })),
    conversationBody: (await import(path.join(root, 'plugins/alin-conversations/conversation-body.ts'))).conversationBody,
  })));
  const head = JSON.stringify({ success: true, conversation: { id: 'c', title: 'Conversation' } });
  const parts = loaded.map((t) => t.store.forUser('u').partitioned('messages').partition('c'));
  // The same 100 messages in both (written by this process), then one more per GET.
  const seedDocs = Array.from({ length: 100 }, (_, i) => message(i));
  for (const p of parts) await p.insertAll(seedDocs.map((d) => ({ ...d })));
  const results: number[][] = [[], []];
  let same = true;
  for (let r = 0; r < ROUNDS; r++) {
    const extra = Array.from({ length: 20 }, (_, k) => message(1000 + r * 20 + k));
    const bodies: Buffer[][] = [[], []];
    for (const i of r % 2 ? [1, 0] : [0, 1]) {
      (globalThis as { gc?: () => void }).gc?.();
      let us = 0;
      for (const doc of extra) {
        await parts[i]!.insertAll([{ ...doc }]);
        const messages = await parts[i]!.snapshot();
        const t = cpuUs();
        bodies[i]!.push(loaded[i]!.conversationBody(head, messages));
        us += cpuUs() - t;
      }
      results[i]!.push(us / extra.length);
    }
    same &&= bodies[0]!.every((b, k) => b.equals(bodies[1]![k]!));
  }
  for (const [i, root] of trees.entries()) console.log(`${root}: ${median(results[i]!).toFixed(0)} µs CPU per body of a changed conversation (median of ${ROUNDS}; ${results[i]!.map((x) => x.toFixed(0)).join(' ')})`);
  console.log(`same bytes: ${same}`);
  await Promise.all(loaded.map((t) => t.store.close()));
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
