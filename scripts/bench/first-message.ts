/**
 * The first message each user writes after a start, without HTTP: `addMessage` on a store that has loaded nothing yet
 * (100 users, 10 conversations of 100 messages each, as alin-messages.ts seeds them). Two source trees in one process,
 * alternately, each round on a fresh store over the same files: the latency of each user's first message (p50/p99,
 * wall clock: the loads it waits for) and the CPU per message (process.cpuUsage).
 *
 * Run: `node --expose-gc --import tsx scripts/bench/first-message.ts /path/to/old-tree /path/to/new-tree`
 * (`BENCH_ROUNDS`, default 6; `BENCH_MESSAGES=0` seeds empty conversations instead; `BENCH_FOLLOWING=20` then has
 * each user write 20 more, one after another, to the conversation of their first, and reports the CPU per message of
 * those: the steady write path; `BENCH_SPREAD=1` sends them round the user's conversations instead).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const USERS = 100;
const CONVERSATIONS = 10;
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100);
const FOLLOWING = Number(process.env.BENCH_FOLLOWING ?? 0);
/** `BENCH_SPREAD=1`: the following messages go round the user's conversations (loading the others), else to the first one. */
const SPREAD = process.env.BENCH_SPREAD === '1';
const TEXT = 'The quick brown fox jumps over the lazy dog while the agent explains the plan step by step. '.repeat(3);

const trees = process.argv.slice(2);
if (trees.length !== 2) throw new Error('usage: first-message.ts <old tree> <new tree>');

function seed(dir: string): string[] {
  const users: string[] = [];
  for (let u = 0; u < USERS; u++) {
    const user = randomUUID();
    const conversations = [];
    for (let c = 0; c < CONVERSATIONS; c++) {
      const conversationId = `conv-${u}-${c}`;
      const t0 = Date.now() - 86_400_000 + c * 1000;
      if (MESSAGES) {
        const lines = [JSON.stringify({ schemaVersion: 1 })];
        for (let i = 0; i < MESSAGES; i++) {
          lines.push(JSON.stringify({ put: {
            id: randomUUID(), conversationId, role: i % 2 ? 'assistant' : 'user', content: [{ type: 'text', text: `${i}: ${TEXT}` }],
            tokens: { input: 100, output: 80 }, tokensInput: 100, tokensOutput: 80, metadata: {}, isEdited: false,
            timestamp: t0 + i, createdAt: t0 + i, updatedAt: t0 + i,
          } }));
        }
        mkdirSync(path.join(dir, 'store', 'messages', user), { recursive: true });
        writeFileSync(path.join(dir, 'store', 'messages', user, `${conversationId}.jsonl`), `${lines.join('\n')}\n`);
      }
      conversations.push({ id: conversationId, title: `Conversation ${c}`, mode: 'regular', model: 'echo', provider: 'echo', isFavorite: false, isArchived: false, isPinned: false, messageCount: MESSAGES, preview: '', metadata: {}, createdAt: t0, updatedAt: t0 });
    }
    mkdirSync(path.join(dir, 'store', 'conversations'), { recursive: true });
    writeFileSync(path.join(dir, 'store', 'conversations', `${user}.json`), JSON.stringify({ schemaVersion: 1, items: conversations }));
    users.push(user);
  }
  return users;
}

type Api = { addMessage(conversationId: string, input: object): Promise<unknown> };
interface Tree {
  FileStore: new (dataDir: string, log: pino.Logger) => { close(): Promise<void> };
  Conversations: new (store: unknown) => { forUser(u: string): Api };
}
const load = async (root: string): Promise<Tree> => ({
  FileStore: (await import(path.join(root, 'core/store/store.ts'))).FileStore,
  Conversations: (await import(path.join(root, 'core/conversations.ts'))).Conversations,
});

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

/** Every user's first message at once (as 100 clients after a restart would), one conversation each. */
async function round(tree: Tree, dir: string, users: string[]): Promise<{ cpu: number; latencies: number[]; following: number }> {
  const store = new tree.FileStore(dir, pino({ level: 'silent' }));
  const conversations = new tree.Conversations(store);
  (globalThis as { gc?: () => void }).gc?.();
  const t = cpuUs();
  const latencies = await Promise.all(users.map(async (user, u) => {
    const start = performance.now();
    await conversations.forUser(user).addMessage(`conv-${u}-${u % CONVERSATIONS}`, { role: 'user', content: `first ${TEXT}` });
    return performance.now() - start;
  }));
  const cpu = (cpuUs() - t) / users.length;
  const f = cpuUs();
  await Promise.all(users.map(async (user, u) => {
    for (let k = 0; k < FOLLOWING; k++) await conversations.forUser(user).addMessage(`conv-${u}-${(u + (SPREAD ? k : 0)) % CONVERSATIONS}`, { role: 'user', content: `next ${k} ${TEXT}` });
  }));
  const following = FOLLOWING ? (cpuUs() - f) / (users.length * FOLLOWING) : 0;
  await store.close();
  return { cpu, latencies, following };
}

const dir = mkdtempSync(path.join(tmpdir(), 'first-message-'));
try {
  const users = seed(dir);
  const loaded = await Promise.all(trees.map(load));
  const cpu: number[][] = [[], []];
  const following: number[][] = [[], []];
  const lat: number[][][] = [[], []];
  for (let r = 0; r < ROUNDS; r++) {
    for (const i of r % 2 ? [1, 0] : [0, 1]) {
      const out = await round(loaded[i]!, dir, users);
      cpu[i]!.push(out.cpu);
      following[i]!.push(out.following);
      lat[i]!.push(out.latencies);
    }
  }
  for (const [i, root] of trees.entries()) {
    const all = lat[i]!.flat();
    console.log(`${root}: ${pct(cpu[i]!, 50).toFixed(0)} µs CPU per first message (median of ${ROUNDS}: ${cpu[i]!.map((x) => x.toFixed(0)).join(' ')}); latency p50 ${pct(all, 50).toFixed(1)} ms, p99 ${pct(all, 99).toFixed(1)} ms`);
    if (FOLLOWING) console.log(`${root}: ${pct(following[i]!, 50).toFixed(0)} µs CPU per following message (median of ${ROUNDS}: ${following[i]!.map((x) => x.toFixed(0)).join(' ')})`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
