/** The stored TBWO record: defaults on create, merging a patch, and the time-budget aliases. */
import { randomUUID } from 'node:crypto';
import type { TbwoStatus } from './lifecycle.ts';
import type { TbwoInput } from './schemas.ts';

/** A TBWO as stored (receipts live in their own partition and are attached when read). */
export interface TbwoRecord {
  id: string;
  type: string;
  objective: string;
  timeBudget: { total: number };
  qualityTarget: unknown;
  scope: Record<string, unknown>;
  plan: Record<string, unknown> | null;
  pods: unknown[];
  activePods: unknown[];
  artifacts: unknown[];
  checkpoints: unknown[];
  authorityLevel: string;
  status: TbwoStatus;
  progress: number;
  chatConversationId: string | null;
  metadata: Record<string, unknown>;
  startedAt: number | null;
  completedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** `timeBudget.total`, `timeBudgetTotal` or `timeBudgetMinutes` (first given wins), in minutes. */
export function budgetOf(b: TbwoInput): number | undefined {
  return b.timeBudget?.total ?? b.timeBudgetTotal ?? b.timeBudgetMinutes;
}

/** Keys copied as sent from a create or patch body. */
const PLAIN = ['type', 'objective', 'qualityTarget', 'scope', 'plan', 'pods', 'activePods', 'artifacts', 'checkpoints', 'authorityLevel', 'progress', 'chatConversationId', 'metadata'] as const;

export function newRecord(b: TbwoInput & { id?: string }, now: number): TbwoRecord {
  const record: TbwoRecord = {
    id: b.id ?? randomUUID(),
    type: 'general',
    objective: '',
    timeBudget: { total: budgetOf(b) ?? 60 },
    qualityTarget: 'standard',
    scope: {},
    plan: null,
    pods: [],
    activePods: [],
    artifacts: [],
    checkpoints: [],
    authorityLevel: 'guided',
    status: 'draft',
    progress: 0,
    chatConversationId: null,
    metadata: {},
    startedAt: null,
    completedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  return applyFields(record, b);
}

/** Copy the given plain fields and the budget onto `record` (objects replace wholesale, as in the original). */
export function applyFields(record: TbwoRecord, b: TbwoInput): TbwoRecord {
  const out: any = { ...record };
  for (const k of PLAIN) if (b[k] !== undefined) out[k] = b[k];
  const budget = budgetOf(b);
  if (budget !== undefined) out.timeBudget = { total: budget };
  return out;
}
