/** `GET /v1/models`: every model of every configured provider, plus `aion`, the full agent. */
import type { HostApi } from '../../core/plugin-api/index.ts';

/** The model id that runs the whole agent (server tools, memory, prompts, the caller's stored conversation). */
export const AGENT_MODEL = 'aion';

export function listModels(host: HostApi) {
  const created = Math.floor(host.startedAt / 1000);
  const data = [{ id: AGENT_MODEL, object: 'model', created, owned_by: 'aion' }];
  const seen = new Set([AGENT_MODEL]);
  for (const { def } of host.providers()) {
    let configured = false;
    try {
      configured = def.isConfigured();
    } catch { /* a broken provider is simply not listed */ }
    if (!configured) continue;
    for (const id of def.models) {
      if (seen.has(id)) continue;
      seen.add(id);
      data.push({ id, object: 'model', created, owned_by: def.id });
    }
  }
  return { object: 'list', data };
}
