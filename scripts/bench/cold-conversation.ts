/**
 * A cold `GET /api/conversations/:id` without HTTP: a store that has not loaded the conversation reads its log (100
 * messages), and the route builds the body (`conversationBody`). Two source trees are measured in one process,
 * alternately, so machine load falls on both alike: CPU per conversation (process.cpuUsage, main thread and thread
 * pool) for each tree, median over the rounds, and whether both trees give the same bytes.
 *
 * Run: `node --expose-gc --import tsx scripts/bench/cold-conversation.ts /path/to/old-tree /path/to/new-tree`
 * (`BENCH_ROUNDS`, default 8; `BENCH_CONVERSATIONS` per round, default 200).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 200);
const MESSAGES = 100;
const TEXT = 'The quick brown fox jumps over the lazy dog while the agent explains the plan step by step. '.repeat(3);

const trees = process.argv.slice(2);
if (trees.length !== 2) throw new Error('usage: cold-conversation.ts <old tree> <new tree>');

/** The layout alin-messages.ts seeds: `store/messages/<user>/<conversation>.jsonl`, one `put` line a message. */
function seed(dir: string, user: string): string[] {
  const folder = path.join(dir, 'store', 'messages', user);
  mkdirSync(folder, { recursive: true });
  const ids: string[] = [];
  for (let c = 0; c < CONVERSATIONS; c++) {
    const conversationId = `conv-${c}`;
    const t0 = Date.now() - 86_400_000 + c * 1000;
    const lines = [JSON.stringify({ schemaVersion: 1 })];
    for (let i = 0; i < MESSAGES; i++) {
      lines.push(JSON.stringify({ put: {
        id: randomUUID(), conversationId, role: i % 2 ? 'assistant' : 'user', content: [{ type: 'text', text: `${i}: ${TEXT}` }],
        tokens: { input: 100, output: 80 }, tokensInput: 100, tokensOutput: 80, metadata: {}, isEdited: false,
        timestamp: t0 + i, createdAt: t0 + i, updatedAt: t0 + i,
      } }));
    }
    writeFileSync(path.join(folder, `${conversationId}.jsonl`), `${lines.join('\n')}\n`);
    ids.push(conversationId);
  }
  return ids;
}

interface Tree {
  FileStore: new (dataDir: string, log: pino.Logger) => { forUser(u: string): { partitioned(n: string): { partition(k: string): { snapshot(): Promise<ReadonlyArray<object>> } } }; close(): Promise<void> };
  conversationBody(head: string, messages: ReadonlyArray<unknown>): Buffer;
}

const load = async (root: string): Promise<Tree> => ({
  FileStore: (await import(path.join(root, 'core/store/store.ts'))).FileStore,
  conversationBody: (await import(path.join(root, 'plugins/alin-conversations/conversation-body.ts'))).conversationBody,
});

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function round(tree: Tree, dir: string, user: string, ids: string[]): Promise<{ us: number; bodyUs: number; bodies: Buffer[] }> {
  const store = new tree.FileStore(dir, pino({ level: 'silent' }));
  const parts = store.forUser(user).partitioned('messages');
  const head = JSON.stringify({ success: true, conversation: { id: 'x', title: 'Conversation' } });
  (globalThis as { gc?: () => void }).gc?.();
  const bodies: Buffer[] = [];
  let bodyUs = 0;
  const t = cpuUs();
  for (const id of ids) {
    const messages = await parts.partition(id).snapshot();
    const b = cpuUs();
    bodies.push(tree.conversationBody(head, messages));
    bodyUs += cpuUs() - b;
  }
  const us = (cpuUs() - t) / ids.length;
  await store.close();
  return { us, bodyUs: bodyUs / ids.length, bodies };
}

const dir = mkdtempSync(path.join(tmpdir(), 'cold-conversation-'));
try {
  const user = randomUUID();
  const ids = seed(dir, user);
  const loaded = await Promise.all(trees.map(load));
  const results: number[][] = [[], []];
  const bodyResults: number[][] = [[], []];
  let same = true;
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 ? [1, 0] : [0, 1];
    const out: Buffer[][] = [];
    for (const i of order) {
      const { us, bodyUs, bodies } = await round(loaded[i]!, dir, user, ids);
      results[i]!.push(us);
      bodyResults[i]!.push(bodyUs);
      out[i] = bodies;
    }
    same &&= out[0]!.every((b, k) => b.equals(out[1]![k]!));
  }
  for (const [i, root] of trees.entries()) console.log(`${root}: ${median(results[i]!).toFixed(0)} µs CPU per cold conversation (median of ${ROUNDS}; ${results[i]!.map((x) => x.toFixed(0)).join(' ')})`);
  for (const [i, root] of trees.entries()) console.log(`${root}: of which the body ${median(bodyResults[i]!).toFixed(0)} µs (median)`);
  const diffs = results[0]!.map((x, k) => results[1]![k]! - x);
  console.log(`new − old per round: median ${median(diffs).toFixed(0)} µs (${diffs.map((x) => x.toFixed(0)).join(' ')})`);
  console.log(`same bytes: ${same}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
