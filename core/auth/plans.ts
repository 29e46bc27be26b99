/** Plan limits (`alin-api.md` → Plans). Admins are never held by plan quotas. */
import type { Plan, User } from '../plugin-api/types.ts';

export interface PlanLimits {
  /** Chat messages per rolling hour; `null` = unlimited. */
  messagesPerHour: number | null;
  /** Tool calls per chat message; `null` = unlimited. */
  toolCallsPerMessage: number | null;
  tbwo: boolean;
  maxTokens: number;
  thinkingBudget: number;
}

export const PLANS: Record<Plan, PlanLimits> = {
  free: { messagesPerHour: 10, toolCallsPerMessage: 3, tbwo: false, maxTokens: 4096, thinkingBudget: 4000 },
  pro: { messagesPerHour: null, toolCallsPerMessage: null, tbwo: true, maxTokens: 32000, thinkingBudget: 16000 },
  enterprise: { messagesPerHour: null, toolCallsPerMessage: null, tbwo: true, maxTokens: 64000, thinkingBudget: 32000 },
};

/** The limits that apply to a user (admins get enterprise limits whatever their plan). */
export function limitsFor(user: Pick<User, 'plan' | 'role'>): PlanLimits {
  return user.role === 'admin' ? PLANS.enterprise : PLANS[user.plan] ?? PLANS.free;
}
