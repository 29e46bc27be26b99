/** Input schemas of the conversation and message endpoints (`alin-api.md` → Conversations and messages). */
import { z } from 'zod';

/** Client-chosen ids: 1–128 characters of `[A-Za-z0-9_-]` (they name store files, so nothing else is allowed). */
export const ID = /^[A-Za-z0-9_-]{1,128}$/;
export const Id = z.string().regex(ID, 'must be 1–128 characters of A-Z a-z 0-9 _ -');

const Metadata = z.record(z.string(), z.unknown());

/** A content block: an object with a `type`; other fields are kept as sent. */
const Block = z.looseObject({ type: z.string().min(1).max(64) });
/** Message content: a string or an array of content blocks. */
export const Content = z.union([z.string().max(2_000_000), z.array(Block).max(1000)]);

const TokenCount = z.number().int().min(0).max(1e12);
/** `tokens`: a number (output tokens) or `{ input, output }`. */
const Tokens = z.union([TokenCount, z.object({ input: TokenCount.default(0), output: TokenCount.default(0) })]);

export const ConversationCreate = z.object({
  id: Id.optional(),
  title: z.string().max(500).optional(),
  mode: z.string().max(64).optional(),
  model: z.string().max(128).optional(),
  provider: z.string().max(64).optional(),
  metadata: Metadata.optional(),
});

export const ConversationPatch = z.object({
  title: z.string().max(500).optional(),
  mode: z.string().max(64).optional(),
  model: z.string().max(128).optional(),
  provider: z.string().max(64).optional(),
  isFavorite: z.boolean().optional(),
  isArchived: z.boolean().optional(),
  isPinned: z.boolean().optional(),
  metadata: Metadata.optional(),
});

/** `?archived=0|1&limit=(50, ≤200)&offset=&search=`; a larger limit is clamped to 200 rather than refused. */
export const ConversationListQuery = z.object({
  search: z.string().trim().max(200).optional(),
  archived: z.enum(['0', '1', 'true', 'false']).default('0').transform((v) => v === '1' || v === 'true'),
  limit: z.coerce.number().int().min(1).default(50).transform((n) => Math.min(n, 200)),
  offset: z.coerce.number().int().min(0).max(1e9).default(0),
});

/** Fields of a new message shared by `POST /api/messages` and `POST /api/conversations/:id/messages`. */
const MessageFields = {
  id: Id.optional(),
  role: z.enum(['user', 'assistant', 'system', 'tool']),
  content: Content,
  model: z.string().max(128).optional(),
  tokens: Tokens.optional(),
  tokensInput: TokenCount.optional(),
  tokensOutput: TokenCount.optional(),
  cost: z.number().min(0).max(1e9).optional(),
  parentId: Id.optional(),
  thinkingContent: z.string().max(2_000_000).optional(),
  metadata: Metadata.optional(),
};

export const MessageCreate = z.object({ conversationId: Id, ...MessageFields });
export const NestedMessageCreate = z.object(MessageFields);

export const MessagePatch = z.object({
  content: Content.optional(),
  metadata: Metadata.optional(),
  thinkingContent: z.string().max(2_000_000).optional(),
  tokens: Tokens.optional(),
});

export type MessageInput = z.infer<typeof NestedMessageCreate>;
export type MessagePatchInput = z.infer<typeof MessagePatch>;
