/**
 * `GET /api/events`: the push stream the original AION client opens with `EventSource` (it reads `onmessage`, so
 * frames are unnamed). A `connected` frame first, then every event published for the caller, with heartbeats.
 * `Last-Event-ID` replays what a reconnecting client missed. Streams close when this plugin unloads; clients reconnect.
 */
import type { PluginContext, SseStream } from '../../core/plugin-api/index.ts';

export function registerEventRoutes(ctx: PluginContext): void {
  const open = new Set<SseStream>();
  ctx.onUnload(() => {
    for (const stream of open) stream.close();
    open.clear();
  });

  ctx.routes.get('/events', { summary: 'Server-initiated events (SSE push: connected, proactive, warning …)', stream: true }, (c, { user }) => {
    const stream = ctx.sse.open(c);
    open.add(stream);
    stream.message({ type: 'connected', message: 'AION push stream active' });
    const lastId = Number(c.get('last-event-id'));
    if (Number.isSafeInteger(lastId) && lastId > 0) {
      for (const event of ctx.events.since(user.id, lastId)) stream.message(event, event.id);
    }
    const stop = ctx.events.subscribe(user.id, (event) => stream.message(event, event.id));
    stream.disconnected.addEventListener('abort', () => {
      stop();
      open.delete(stream);
    }, { once: true });
  });
}
