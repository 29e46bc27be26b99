/** Input schemas of the TBWO endpoints (`alin-api.md` → TBWOs). */
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

/** Fields accepted by both create and patch; every one optional (defaults are applied on create). */
const Fields = {
  type: z.enum(TYPES).optional(),
  objective: z.string().max(100_000).optional(),
  timeBudget: z.object({ total: Minutes.optional() }).optional(),
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
  progress: z.number().min(0).max(100).optional(),
  /** A receipts object (the original engine's `TBWOReceipts`): appended to the receipt log as type `full`. */
  receipts: Obj.nullable().optional(),
  chatConversationId: z.string().max(128).nullable().optional(),
  metadata: Obj.optional(),
};

export const TbwoCreate = z.object({ id: Id.optional(), ...Fields });
export const TbwoPatch = z.object(Fields);
export type TbwoInput = z.infer<typeof TbwoPatch>;

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).default(50).transform((n) => Math.min(n, 200)),
  offset: z.coerce.number().int().min(0).max(1e9).default(0),
});

/** A receipt body: any JSON object; `type` defaults to `full`. Everything else is stored as sent. */
export const ReceiptBody = z.looseObject({ type: z.string().min(1).max(64).optional() });
