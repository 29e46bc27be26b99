/**
 * TBWO statuses. As the original server, no transitions are enforced: the client batches its updates (1 s debounce),
 * so one PATCH may jump `draft → completed`. The server only stamps the times a move implies when the client did not.
 */
export const STATUSES = [
  'draft', 'planning', 'awaiting_approval', 'executing', 'paused', 'paused_waiting_for_user', 'checkpoint', 'completing',
  'completed', 'failed', 'cancelled', 'timeout',
] as const;
export type TbwoStatus = (typeof STATUSES)[number];

export const FINAL: ReadonlySet<TbwoStatus> = new Set(['completed', 'failed', 'cancelled', 'timeout']);

/**
 * Timestamps after a status change: `startedAt` on the first `executing`, `completedAt` on reaching a final status.
 * Values already on the record — the client's own — are kept.
 */
export function stampsFor(to: TbwoStatus, current: { startedAt: number | null; completedAt: number | null }, now: number) {
  return {
    startedAt: current.startedAt ?? (to === 'executing' ? now : null),
    completedAt: current.completedAt ?? (FINAL.has(to) ? now : null),
  };
}
