/**
 * Conversations and messages, per user — shared by the ALIN conversation endpoints and the agent loop, so an AION
 * chat turn is an ordinary conversation of its user.
 *
 * Storage: `store/conversations/<userId>.json` (one file per user) and `store/messages/<userId>/<conversationId>.jsonl`
 * (one append-only log per conversation): a message write is one durable append to its conversation's log.
 */
import { randomUUID } from 'node:crypto';
import type { Collection, PartitionedCollection, UserStore } from './plugin-api/types.ts';
import type { ConversationRecord, MessageRecord, NewConversation, NewMessage } from './plugin-api/conversations.ts';
import { conflict, notFound } from './errors.ts';
import { hasFrozenReads, type ManyPartitions, type PartitionJoins, type PartitionSummary } from './store/driver.ts';
import type { Store } from './store/store.ts';

// The records are the plugin API's contract (`ctx.conversations`); core implements it.
export type { ConversationRecord, MessageRecord, NewConversation, NewMessage } from './plugin-api/conversations.ts';

/** Plain text of message content, for previews and search. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((b: any) => (b?.type === 'text' ? b.text : typeof b?.content === 'string' ? b.content : ''))
    .filter(Boolean)
    .join('\n');
}

/**
 * `messageCount`, `preview` and the latest `updatedAt` are derived from the messages themselves: one source of truth,
 * so adding a message writes one file (its conversation's) and a crash cannot leave a count behind.
 */
function derive(c: Readonly<ConversationRecord>, messages: ReadonlyArray<Readonly<MessageRecord>>): ConversationRecord {
  let preview = '';
  for (let i = messages.length - 1; i >= 0 && !preview; i--) preview = contentText(messages[i].content).slice(0, 200);
  let updatedAt = c.updatedAt;
  for (const m of messages) if (m.updatedAt > updatedAt) updatedAt = m.updatedAt;
  return { ...c, messageCount: messages.length, preview, updatedAt };
}

/**
 * `derive` remembered per frozen snapshot of a conversation's messages and its frozen record (the file store hands out
 * the same ones until either changes): a conversation read again and again is not rescanned message by message. Each
 * caller gets its own shallow copy.
 */
const derivedOf = new WeakMap<object, { record: object; derived: ConversationRecord }>();
function derivedCopy(c: Readonly<ConversationRecord>, messages: ReadonlyArray<Readonly<MessageRecord>>): ConversationRecord {
  if (!Object.isFrozen(messages) || !Object.isFrozen(c)) return derive(c, messages);
  let hit = derivedOf.get(messages);
  if (!hit || hit.record !== c) {
    hit = { record: c, derived: derive(c, messages) };
    derivedOf.set(messages, hit);
  }
  return { ...hit.derived };
}

/** `derive` from a partition summary (PostgreSQL): undefined when the last message has no text (scan them all then). */
function deriveFromSummary(s: PartitionSummary<ConversationRecord>): ConversationRecord | undefined {
  const preview = contentText(s.lastField).slice(0, 200);
  if (!preview && s.count > 1) return undefined;
  const updatedAt = s.latestUpdatedAt !== null && s.latestUpdatedAt > s.parent.updatedAt ? s.latestUpdatedAt : s.parent.updatedAt;
  return { ...s.parent, messageCount: s.count, preview, updatedAt };
}

type MessagePartitions = PartitionedCollection<MessageRecord> & Partial<ManyPartitions<MessageRecord> & PartitionJoins<MessageRecord>>;

/** A new conversation record with its defaults. */
function newConversation(input: NewConversation): ConversationRecord {
  const now = Date.now();
  return {
    id: input.id ?? randomUUID(),
    title: input.title ?? 'New conversation',
    mode: input.mode ?? 'regular',
    model: input.model ?? '',
    provider: input.provider ?? '',
    isFavorite: false,
    isArchived: false,
    isPinned: false,
    messageCount: 0,
    preview: '',
    metadata: input.metadata ?? {},
    createdAt: now,
    updatedAt: now,
  };
}

/** One user's conversations. Obtain with `Conversations.forUser` — there is no other way in. */
export class UserConversations {
  private readonly list: Collection<ConversationRecord>;
  private messageIndex: Promise<Map<string, string>> | undefined;
  /** The messages' partitioned collection, made once: every read and write of a message goes through it. */
  private messageParts: MessagePartitions | undefined;

  /** `shared`: other instances write the same store (PostgreSQL), so a miss in the message index may just be stale. */
  constructor(private readonly data: UserStore, private readonly shared = false) {
    this.list = data.collection<ConversationRecord>('conversations');
  }

  private messages(conversationId: string): Collection<MessageRecord> {
    return this.partitions().partition(conversationId);
  }

  /** The conversation record as stored (frozen, no copy) where the driver allows it, else a copy. */
  private record(id: string): Promise<Readonly<ConversationRecord> | undefined> {
    return hasFrozenReads<ConversationRecord>(this.list) ? this.list.peek(id) : this.list.get(id);
  }

  private partitions(): MessagePartitions {
    this.messageParts ??= this.data.partitioned<MessageRecord>('messages');
    return this.messageParts;
  }

  /**
   * The conversation and its messages (frozen snapshots, oldest first): one statement when the driver joins them
   * (PostgreSQL), else the record and its partition's snapshot. Undefined when the conversation does not exist.
   */
  private async withMessages(id: string): Promise<{ record: Readonly<ConversationRecord>; messages: ReadonlyArray<Readonly<MessageRecord>> } | undefined> {
    const partitions = this.partitions();
    if (partitions.parentWithPartition) {
      const joined = await partitions.parentWithPartition<ConversationRecord>('conversations', id);
      return joined && { record: joined.parent, messages: joined.items };
    }
    const record = await this.record(id);
    return record && { record, messages: await this.messages(id).snapshot() };
  }

  /** message id → conversation id, built once on first need from this user's partitions (concurrent callers share it). */
  private index(): Promise<Map<string, string>> {
    this.messageIndex ??= (async () => {
      const idx = new Map<string, string>();
      // Snapshots, not copies: this reads every message of the user once (a copy of each made the first write slow).
      for (const c of await this.list.snapshot()) for (const m of await this.messages(c.id).snapshot()) idx.set(m.id, c.id);
      return idx;
    })();
    return this.messageIndex;
  }

  /** Newest first. The messages of every conversation are read in one go (one query on PostgreSQL). */
  async listConversations(opts: { archived?: boolean; limit?: number; offset?: number } = {}): Promise<{ conversations: ConversationRecord[]; total: number }> {
    let all = await this.allDerived();
    if (opts.archived !== undefined) all = all.filter((c) => c.isArchived === opts.archived);
    all.sort((a, b) => b.updatedAt - a.updatedAt);
    const offset = opts.offset ?? 0;
    return { conversations: all.slice(offset, offset + (opts.limit ?? 50)), total: all.length };
  }

  /** Every conversation with its counters: from partition summaries when the driver offers them (no message shipped). */
  private async allDerived(): Promise<ConversationRecord[]> {
    const partitions = this.partitions();
    if (partitions.parentsWithSummaries) {
      const summaries = await partitions.parentsWithSummaries<ConversationRecord>('conversations', 'content');
      return Promise.all(summaries.map(async (s) => deriveFromSummary(s) ?? derive(s.parent, await this.messages(s.parent.id).snapshot())));
    }
    const list = await this.list.snapshot();
    const messages = partitions.snapshotMany
      ? await partitions.snapshotMany(list.map((c) => c.id))
      : new Map(await Promise.all(list.map(async (c) => [c.id, await this.messages(c.id).snapshot()] as const)));
    return list.map((c) => derivedCopy(c, messages.get(c.id) ?? []));
  }

  /** Whether the conversation exists (without deriving its counters). */
  async has(id: string): Promise<boolean> {
    return (await this.list.get(id)) !== undefined;
  }

  async get(id: string): Promise<ConversationRecord | undefined> {
    const found = await this.withMessages(id);
    return found && derive(found.record, found.messages);
  }

  /** The conversation (with its counters) and its messages, oldest first, read together. */
  async getWithMessages(id: string): Promise<{ conversation: ConversationRecord; messages: ReadonlyArray<Readonly<MessageRecord>> } | undefined> {
    const found = await this.withMessages(id);
    return found && { conversation: derivedCopy(found.record, found.messages), messages: found.messages };
  }

  async create(input: NewConversation = {}): Promise<ConversationRecord> {
    return this.list.insert(newConversation(input));
  }

  async update(id: string, patch: Partial<ConversationRecord>): Promise<ConversationRecord | undefined> {
    const { id: _id, createdAt: _c, messageCount: _m, ...rest } = patch;
    return this.list.update(id, (c) => ({ ...c, ...rest, metadata: rest.metadata ? { ...c.metadata, ...rest.metadata } : c.metadata, updatedAt: Date.now() }));
  }

  async delete(id: string): Promise<boolean> {
    if (!(await this.list.get(id))) return false;
    const idx = await this.index();
    for (const m of await this.messages(id).all()) idx.delete(m.id);
    await this.data.partitioned('messages').dropPartition(id);
    return this.list.delete(id);
  }

  /** Messages oldest first, as frozen snapshots (read-only, no copy: this is the hot read path). */
  async listMessages(conversationId: string): Promise<ReadonlyArray<Readonly<MessageRecord>> | undefined> {
    return (await this.withMessages(conversationId))?.messages;
  }

  /** Add a message; 404 for an unknown conversation, 409 for a reused id. */
  async addMessage(conversationId: string, input: NewMessage): Promise<MessageRecord> {
    const conversation = await this.record(conversationId);
    if (!conversation) throw notFound('Conversation not found');
    const [record] = await this.append(conversation, [input]);
    return record;
  }

  /**
   * What a chat turn reads from its conversation, in one trip: the stored messages, oldest first (frozen snapshots).
   * A conversation that does not exist yet reads as empty (`exists: false`); `saveTurn` creates it.
   */
  async loadForTurn(conversationId: string): Promise<{ exists: boolean; messages: ReadonlyArray<Readonly<MessageRecord>> }> {
    const found = await this.withMessages(conversationId);
    return found ? { exists: true, messages: found.messages } : { exists: false, messages: [] };
  }

  /**
   * Save a finished (or parked, or stopped) chat turn in one step: its messages (a refused approval's results, the
   * user's message, the assistant's answer) are written together in one durable write of the conversation's log, the
   * conversation is created first when it is new (`create`), and the first user message names an untitled one.
   * Resolves once everything is on disk.
   */
  async saveTurn(conversationId: string, turn: { messages: NewMessage[]; create?: NewConversation }): Promise<MessageRecord[]> {
    let conversation = await this.list.get(conversationId);
    if (!conversation) {
      if (!turn.create) throw notFound('Conversation not found');
      const made = await this.list.createIfAbsent(newConversation({ ...turn.create, id: conversationId }));
      conversation = made.created ? made.doc : made.existing;
    }
    return this.append(conversation, turn.messages);
  }

  /** Write `inputs` to the conversation's log in one write (inserts of one tick share a flush), then the title. */
  private async append(conversation: Readonly<ConversationRecord>, inputs: NewMessage[]): Promise<MessageRecord[]> {
    // Only an id the caller chose can be taken already: ids made here are fresh UUIDs. So a write of fresh ids does not
    // build the index (a user's first message after a start read every one of their conversations for it, issue #16's
    // POST tail); an index built later reads these messages from their log like any other.
    const idx = inputs.some((input) => input.id !== undefined) ? await this.index() : undefined;
    const now = Date.now();
    const records = inputs.map((input): MessageRecord => ({
      ...input,
      id: input.id ?? randomUUID(),
      conversationId: conversation.id,
      metadata: input.metadata ?? {},
      isEdited: false,
      timestamp: input.timestamp ?? now,
      createdAt: now,
      updatedAt: now,
    }));
    const reused = records.find((r, i) => idx?.has(r.id) || records.findIndex((o) => o.id === r.id) !== i);
    if (reused) throw conflict(`A message with id "${reused.id}" already exists`, 'ALREADY_EXISTS');
    // Claimed before the write, so a concurrent write of the same chosen id is refused (both would be new to the log).
    if (idx) for (const r of records) idx.set(r.id, conversation.id);
    const log = this.messages(conversation.id);
    try {
      if (hasFrozenReads<MessageRecord>(log)) await log.insertAll(records);
      else await Promise.all(records.map((r) => log.insert(r)));
    } catch (error) {
      if (idx) for (const r of records) idx.delete(r.id);
      throw error;
    }
    // An index that exists now (made before or during the write, which it may or may not have seen) learns the ids.
    if (!idx && this.messageIndex) {
      const late = await this.messageIndex;
      for (const r of records) late.set(r.id, conversation.id);
    }
    await this.nameFrom(conversation, records);
    return records;
  }

  /** The first user message names an untitled conversation (the only time a message rewrites the list). */
  private async nameFrom(conversation: Readonly<ConversationRecord>, records: MessageRecord[]): Promise<void> {
    if (conversation.title !== 'New conversation') return;
    const text = records.filter((r) => r.role === 'user').map((r) => contentText(r.content)).find(Boolean);
    if (!text) return;
    await this.list.update(conversation.id, (c) => (c.title === 'New conversation' ? { ...c, title: text.slice(0, 60) } : c));
  }

  /** The conversation of a message id; on a shared store a miss rebuilds the index once (another instance added it). */
  private async conversationOf(id: string): Promise<string | undefined> {
    const found = (await this.index()).get(id);
    if (found || !this.shared) return found;
    this.messageIndex = undefined;
    return (await this.index()).get(id);
  }

  async updateMessage(id: string, patch: Partial<MessageRecord>): Promise<MessageRecord | undefined> {
    const conversationId = await this.conversationOf(id);
    if (!conversationId) return undefined;
    const { id: _i, conversationId: _c, createdAt: _t, ...rest } = patch;
    const updated = await this.messages(conversationId).update(id, (m) => ({
      ...m,
      ...rest,
      metadata: rest.metadata ? { ...m.metadata, ...rest.metadata } : m.metadata,
      isEdited: true,
      updatedAt: Date.now(),
    }));
    return updated;
  }

  async deleteMessage(id: string): Promise<boolean> {
    const conversationId = await this.conversationOf(id);
    if (!conversationId) return false;
    const idx = await this.index();
    const removed = await this.messages(conversationId).delete(id);
    idx.delete(id);
    if (removed) await this.list.update(conversationId, (c) => ({ ...c, updatedAt: Date.now() })); // a deletion is a change too
    return removed;
  }

  async count(): Promise<{ conversations: number; messages: number }> {
    const all = await this.list.snapshot();
    let messages = 0;
    for (const c of all) messages += await this.messages(c.id).count();
    return { conversations: all.length, messages };
  }
}

/** Entry point: `forUser(id)` is the only door to a user's conversations. */
export class Conversations {
  private users = new Map<string, UserConversations>();
  constructor(private readonly store: Store) {}

  forUser(userId: string): UserConversations {
    let u = this.users.get(userId);
    if (!u) {
      u = new UserConversations(this.store.forUser(userId), this.store.shared);
      this.users.set(userId, u);
    }
    return u;
  }

  /** Totals over every user (for `/api/config` stats). */
  async totals(): Promise<{ conversations: number; messages: number }> {
    let conversations = 0;
    let messages = 0;
    for (const userId of await this.store.usersWith('conversations')) {
      const c = await this.forUser(userId).count();
      conversations += c.conversations;
      messages += c.messages;
    }
    return { conversations, messages };
  }
}
