/** The stored TBWO record: defaults on create, merging a patch (every field the client sends), the budget aliases. */
import { randomUUID } from 'node:crypto';
import { stampsFor, type TbwoStatus } from './lifecycle.ts';
import type { TbwoInput } from './schemas.ts';

/** A TBWO as stored. Fields the contract does not name are kept as sent (`[key]: unknown`). */
export interface TbwoRecord {
  id: string;
  type: string;
  objective: string;
  timeBudget: { total: number } & Record<string, unknown>;
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
  /** The engine's receipts object as last sent (`null` until then). */
  receipts: Record<string, unknown> | null;
  /** The engine's execution snapshot as sent (a JSON string from the original client). */
  executionState: string | Record<string, unknown> | null;
  chatConversationId: string | null;
  metadata: Record<string, unknown>;
  startedAt: number | null;
  completedAt: number | null;
  createdAt: number;
  updatedAt: number;
  [extra: string]: unknown;
}

/** `timeBudget.total`, `timeBudgetTotal` or `timeBudgetMinutes` (first given wins), in minutes. */
export function budgetOf(b: TbwoInput): number | undefined {
  return b.timeBudget?.total ?? b.timeBudgetTotal ?? b.timeBudgetMinutes;
}

/** Keys with their own handling; everything else in a body is copied as sent. */
const HANDLED = new Set([
  'id', 'status', 'timeBudget', 'timeBudgetTotal', 'timeBudgetMinutes', 'execution_state', 'executionState',
  'startedAt', 'completedAt', 'createdAt', 'updatedAt', 'userId', 'user_id',
]);
/** Never copied: they would shadow the prototype chain of whoever spreads the record. */
const UNSAFE = new Set(['__proto__', 'constructor', 'prototype']);

export function newRecord(b: TbwoInput & { id?: string }, now: number): TbwoRecord {
  const record: TbwoRecord = {
    id: b.id ?? randomUUID(),
    type: 'general',
    objective: '',
    timeBudget: { total: 60 },
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
    receipts: null,
    executionState: null,
    chatConversationId: null,
    metadata: {},
    startedAt: null,
    completedAt: null,
    createdAt: b.createdAt ?? now,
    updatedAt: now,
  };
  return applyFields(record, b, now);
}

/**
 * Apply a create or patch body onto `record`: objects replace wholesale and `null` clears (as in the original), the
 * status is taken as sent, and the times a status implies are stamped unless the client sent its own.
 */
export function applyFields(record: TbwoRecord, b: TbwoInput, now: number): TbwoRecord {
  const out: TbwoRecord = { ...record, updatedAt: now };
  for (const [k, v] of Object.entries(b)) {
    if (HANDLED.has(k) || UNSAFE.has(k) || v === undefined) continue;
    out[k] = v;
  }
  const budget = budgetOf(b);
  if (b.timeBudget) out.timeBudget = { ...b.timeBudget, total: budget ?? record.timeBudget.total };
  else if (budget !== undefined) out.timeBudget = { ...record.timeBudget, total: budget };
  const state = b.executionState !== undefined ? b.executionState : b.execution_state;
  if (state !== undefined) out.executionState = state;
  if (b.startedAt !== undefined) out.startedAt = b.startedAt;
  if (b.completedAt !== undefined) out.completedAt = b.completedAt;
  if (b.status) {
    out.status = b.status;
    Object.assign(out, stampsFor(b.status, out, now));
  }
  return out;
}
