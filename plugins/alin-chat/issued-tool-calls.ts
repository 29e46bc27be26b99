/**
 * Tool calls this server asked a user's client to run, so that `/api/chat/continue` carrying their results is known
 * to be the continuation of a charged message (and is free), not a new message dressed up as one. Each id is redeemed
 * once; ids expire after the plan window (an hour); a bounded number is kept per user.
 */
const TTL_MS = 60 * 60_000;
const MAX_PER_USER = 1000;

export class IssuedToolCalls {
  private byUser = new Map<string, Map<string, number>>();

  issue(userId: string, id: string, now = Date.now()): void {
    const ids = this.byUser.get(userId) ?? new Map<string, number>();
    ids.set(id, now + TTL_MS);
    while (ids.size > MAX_PER_USER) ids.delete(ids.keys().next().value as string);
    this.byUser.set(userId, ids);
  }

  /** True when every id was issued to this user and is still valid; they are used up then. */
  redeem(userId: string, ids: string[], now = Date.now()): boolean {
    const mine = this.byUser.get(userId);
    if (!mine || ids.length === 0) return false;
    if (!ids.every((id) => (mine.get(id) ?? 0) > now)) return false;
    for (const id of ids) mine.delete(id);
    return true;
  }

  clear(): void {
    this.byUser.clear();
  }
}

/** The `tool_use_id`s of the tool results in the last message, when it is the user's message carrying them. */
export function continuedToolIds(messages: Array<{ role: string; content: unknown }>): string[] {
  const last = messages[messages.length - 1];
  if (!last || last.role !== 'user' || !Array.isArray(last.content)) return [];
  return last.content
    .filter((b): b is { type: string; tool_use_id: string } => b?.type === 'tool_result' && typeof b.tool_use_id === 'string')
    .map((b) => b.tool_use_id);
}
