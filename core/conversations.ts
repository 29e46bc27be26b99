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
import type { ManyPartitions } from './store/driver.ts';
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

/** One user's conversations. Obtain with `Conversations.forUser` — there is no other way in. */
export class UserConversations {
  private readonly list: Collection<ConversationRecord>;
  private messageIndex: Promise<Map<string, string>> | undefined;

  /** `shared`: other instances write the same store (PostgreSQL), so a miss in the message index may just be stale. */
  constructor(private readonly data: UserStore, private readonly shared = false) {
    this.list = data.collection<ConversationRecord>('conversations');
  }

  private messages(conversationId: string): Collection<MessageRecord> {
    return this.data.partitioned<MessageRecord>('messages').partition(conversationId);
  }

  /** message id → conversation id, built once on first need from this user's partitions (concurrent callers share it). */
  private index(): Promise<Map<string, string>> {
    this.messageIndex ??= (async () => {
      const idx = new Map<string, string>();
      for (const c of await this.list.all()) for (const m of await this.messages(c.id).all()) idx.set(m.id, c.id);
      return idx;
    })();
    return this.messageIndex;
  }

  /** The record with its derived counters (see `derive`). */
  private async withDerived(c: Readonly<ConversationRecord>): Promise<ConversationRecord> {
    return derive(c, await this.messages(c.id).snapshot());
  }

  /** Newest first. The messages of every conversation are read in one go (one query on PostgreSQL). */
  async listConversations(opts: { archived?: boolean; limit?: number; offset?: number } = {}): Promise<{ conversations: ConversationRecord[]; total: number }> {
    const list = await this.list.snapshot();
    const partitions = this.data.partitioned<MessageRecord>('messages') as PartitionedCollection<MessageRecord> & Partial<ManyPartitions<MessageRecord>>;
    const messages = partitions.snapshotMany
      ? await partitions.snapshotMany(list.map((c) => c.id))
      : new Map(await Promise.all(list.map(async (c) => [c.id, await this.messages(c.id).snapshot()] as const)));
    let all = list.map((c) => derive(c, messages.get(c.id) ?? []));
    if (opts.archived !== undefined) all = all.filter((c) => c.isArchived === opts.archived);
    all.sort((a, b) => b.updatedAt - a.updatedAt);
    const offset = opts.offset ?? 0;
    return { conversations: all.slice(offset, offset + (opts.limit ?? 50)), total: all.length };
  }

  /** Whether the conversation exists (without deriving its counters). */
  async has(id: string): Promise<boolean> {
    return (await this.list.get(id)) !== undefined;
  }

  async get(id: string): Promise<ConversationRecord | undefined> {
    const c = await this.list.get(id);
    return c && this.withDerived(c);
  }

  async create(input: NewConversation = {}): Promise<ConversationRecord> {
    const now = Date.now();
    const record: ConversationRecord = {
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
    return this.list.insert(record);
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
    if (!(await this.list.get(conversationId))) return undefined;
    return this.messages(conversationId).snapshot();
  }

  /** Add a message; 404 for an unknown conversation, 409 for a reused id. */
  async addMessage(conversationId: string, input: NewMessage): Promise<MessageRecord> {
    const conversation = await this.list.get(conversationId);
    if (!conversation) throw notFound('Conversation not found');
    const idx = await this.index();
    const id = input.id ?? randomUUID();
    if (idx.has(id)) throw conflict(`A message with id "${id}" already exists`, 'ALREADY_EXISTS');
    idx.set(id, conversationId);
    const now = Date.now();
    const record: MessageRecord = {
      ...input,
      id,
      conversationId,
      metadata: input.metadata ?? {},
      isEdited: false,
      timestamp: input.timestamp ?? now,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.messages(conversationId).insert(record);
    } catch (error) {
      idx.delete(id);
      throw error;
    }
    // The first user message names an untitled conversation (the only time a message rewrites the list).
    const text = record.role === 'user' ? contentText(record.content) : '';
    if (conversation.title === 'New conversation' && text) {
      await this.list.update(conversationId, (c) => (c.title === 'New conversation' ? { ...c, title: text.slice(0, 60) } : c));
    }
    return record;
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
