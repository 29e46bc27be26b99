/**
 * Input schemas of the TBWO endpoints (`alin-api.md` → TBWOs). Bodies are loose: every field the client sends is stored
 * (the original kept whatever it got), while the fields of the contract are checked for type so a stored record stays
 * readable. Values the client computes (progress) are clamped rather than refused: a refused PATCH would lose the
 * whole debounced update.
 */
import { z } from 'zod';
import { STATUSES } from './lifecycle.ts';

export const ID = /^[A-Za-z0-9_-]{1,128}$/;
const Id = z.string().regex(ID, 'must be 1–128 characters of A-Z a-z 0-9 _ -');

export const TYPES = [
  'general', 'website_sprint', 'code_project', 'research_report', 'data_analysis', 'content_creation',
  'design_system', 'api_integration', 'custom',
] as const;
export const QUALITY = ['draft', 'standard', 'premium', 'apple_level'] as const;
export const AUTHORITY = ['no_autonomy', 'guided', 'supervised', 'autonomous'] as const;

const Obj = z.record(z.string(), z.unknown());
const List = z.array(z.unknown()).max(10_000);
const Minutes = z.number().positive().max(1_000_000);
const Millis = z.number().int().min(0).max(8.64e15);

/** Fields accepted by both create and patch; every one optional (defaults are applied on create). */
const Fields = {
  type: z.enum(TYPES).optional(),
  objective: z.string().max(100_000).optional(),
  timeBudget: z.looseObject({ total: Minutes.optional() }).optional(),
  timeBudgetTotal: Minutes.optional(),
  timeBudgetMinutes: Minutes.optional(),
  // The original stored qualityTarget as given (the client sends the enum value; older ones sent an object).
  qualityTarget: z.union([z.enum(QUALITY), Obj]).optional(),
  scope: Obj.optional(),
  plan: Obj.nullable().optional(),
  pods: List.optional(),
  activePods: List.optional(),
  artifacts: List.optional(),
  checkpoints: List.optional(),
  authorityLevel: z.enum(AUTHORITY).optional(),
  status: z.enum(STATUSES).optional(),
  progress: z.number().finite().transform((n) => Math.min(100, Math.max(0, n))).optional(),
  /** The engine's `TBWOReceipts` object, stored on the record as sent (`null` clears it). */
  receipts: Obj.nullable().optional(),
  /** The engine's resumable execution snapshot: a JSON string (what the client sends) or an object. */
  execution_state: z.union([z.string().max(5_000_000), Obj]).nullable().optional(),
  executionState: z.union([z.string().max(5_000_000), Obj]).nullable().optional(),
  chatConversationId: z.string().max(128).nullable().optional(),
  metadata: Obj.optional(),
  startedAt: Millis.nullable().optional(),
  completedAt: Millis.nullable().optional(),
  createdAt: Millis.optional(),
  updatedAt: Millis.optional(),
};

export const TbwoCreate = z.looseObject({ id: Id.optional(), ...Fields });
export const TbwoPatch = z.looseObject(Fields);
export type TbwoInput = z.infer<typeof TbwoPatch>;

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).default(50).transform((n) => Math.min(n, 200)),
  offset: z.coerce.number().int().min(0).max(1e9).default(0),
});

/** A receipt body: any JSON object; `type` defaults to `full`. Everything else is stored as sent. */
export const ReceiptBody = z.looseObject({ type: z.string().min(1).max(64).optional() });
