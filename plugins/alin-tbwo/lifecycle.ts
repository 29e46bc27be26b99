/** The TBWO status lifecycle of `alin-api.md`: which moves are legal, and what a move stamps on the record. */
import { AppError } from '../../core/plugin-api/index.ts';

export const STATUSES = [
  'draft', 'planning', 'awaiting_approval', 'executing', 'paused', 'checkpoint', 'completing',
  'completed', 'failed', 'cancelled', 'timeout',
] as const;
export type TbwoStatus = (typeof STATUSES)[number];

/** Legal moves; `completed`, `failed`, `cancelled` and `timeout` are final. */
export const TRANSITIONS: Record<TbwoStatus, readonly TbwoStatus[]> = {
  draft: ['planning', 'cancelled'],
  planning: ['awaiting_approval', 'executing', 'failed', 'cancelled'],
  awaiting_approval: ['executing', 'planning', 'cancelled'],
  executing: ['paused', 'checkpoint', 'completing', 'completed', 'failed', 'timeout', 'cancelled'],
  paused: ['executing', 'cancelled'],
  checkpoint: ['executing', 'failed', 'cancelled'],
  completing: ['completed', 'failed'],
  completed: [],
  failed: [],
  cancelled: [],
  timeout: [],
};

export const FINAL: ReadonlySet<TbwoStatus> = new Set(['completed', 'failed', 'cancelled', 'timeout']);

/** Throws 409 `INVALID_TRANSITION` unless `from → to` is legal. Staying in the same status is not a move. */
export function checkTransition(from: TbwoStatus, to: TbwoStatus): void {
  if (from === to || TRANSITIONS[from].includes(to)) return;
  throw new AppError(409, 'INVALID_TRANSITION', `A TBWO cannot move from ${from} to ${to}`, {
    from,
    to,
    allowed: TRANSITIONS[from],
  });
}

/** Timestamps a move sets: `startedAt` on the first `executing`, `completedAt` on reaching a final status. */
export function stampsFor(to: TbwoStatus, current: { startedAt: number | null; completedAt: number | null }, now: number) {
  return {
    startedAt: to === 'executing' && current.startedAt === null ? now : current.startedAt,
    completedAt: FINAL.has(to) && current.completedAt === null ? now : current.completedAt,
  };
}
