/**
 * The conversations contract (`ctx.conversations`): one user's conversations and messages, shared by the ALIN
 * endpoints and the agent loop. Declared here, owned by the plugin API; the core implements it.
 */
import type { ContentBlock } from '../agent/events.ts';

export interface ConversationRecord {
  id: string;
  title: string;
  mode: string;
  model: string;
  provider: string;
  isFavorite: boolean;
  isArchived: boolean;
  isPinned: boolean;
  messageCount: number;
  preview: string;
  metadata: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export interface MessageRecord {
  id: string;
  conversationId: string;
  role: 'user' | 'assistant' | 'system' | 'tool';
  content: string | ContentBlock[] | unknown[];
  model?: string;
  tokens?: { input: number; output: number };
  tokensInput?: number;
  tokensOutput?: number;
  cost?: number;
  parentId?: string;
  thinkingContent?: string;
  metadata: Record<string, unknown>;
  isEdited: boolean;
  stopReason?: string;
  timestamp: number;
  createdAt: number;
  updatedAt: number;
}

export type NewConversation = Partial<Pick<ConversationRecord, 'id' | 'title' | 'mode' | 'model' | 'provider' | 'metadata'>>;
export type NewMessage = Omit<Partial<MessageRecord>, 'conversationId'> & Pick<MessageRecord, 'role' | 'content'>;

/** One user's conversations; every call is scoped to that user. */
export interface UserConversationsApi {
  listConversations(opts?: { archived?: boolean; limit?: number; offset?: number }): Promise<{ conversations: ConversationRecord[]; total: number }>;
  has(id: string): Promise<boolean>;
  get(id: string): Promise<ConversationRecord | undefined>;
  /** The conversation (counters derived) and its messages oldest first, read together (one query on PostgreSQL). */
  getWithMessages(id: string): Promise<{ conversation: ConversationRecord; messages: ReadonlyArray<Readonly<MessageRecord>> } | undefined>;
  create(input?: NewConversation): Promise<ConversationRecord>;
  update(id: string, patch: Partial<ConversationRecord>): Promise<ConversationRecord | undefined>;
  delete(id: string): Promise<boolean>;
  /** `undefined` when the conversation does not exist. */
  listMessages(conversationId: string): Promise<ReadonlyArray<Readonly<MessageRecord>> | undefined>;
  addMessage(conversationId: string, input: NewMessage): Promise<MessageRecord>;
  updateMessage(id: string, patch: Partial<MessageRecord>): Promise<MessageRecord | undefined>;
  deleteMessage(id: string): Promise<boolean>;
  count(): Promise<{ conversations: number; messages: number }>;
}
