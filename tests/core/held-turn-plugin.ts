/**
 * A test plugin that holds a turn between its `approval` event and its park: `POST /api/test/held-chat` runs the agent
 * for the caller and stops pulling events at the first `approval` until `POST /api/test/release/:id`. While held, the
 * call is announced to the client but not parked — the window an instant answer can fall into.
 */
export const HELD_TURN_MANIFEST = { name: 'held-turn', version: '1.0.0', description: 'Holds a turn at its approval', api: '^1.0.0' };

export const HELD_TURN_PLUGIN = `
const held = new Map();
export default {
  name: 'held-turn',
  version: '1.0.0',
  setup(ctx) {
    ctx.routes.post('/test/held-chat', {}, async (c, { user }) => {
      const body = c.request.body;
      const types = [];
      for await (const ev of ctx.agent.run({ user, message: body.message, conversationId: body.conversationId, channel: 'web' })) {
        types.push(ev.type);
        if (ev.type === 'approval') {
          const release = new Promise((resolve) => held.set(ev.id, resolve));
          await Promise.race([release, new Promise((r) => setTimeout(r, 20000))]);
        }
      }
      return { types };
    });
    ctx.routes.get('/test/held', {}, () => ({ ids: [...held.keys()] }));
    ctx.routes.get('/test/pending/:id', {}, (c, { user }) => ({ pending: ctx.agent.isPending(user.id, c.params.id) }));
    ctx.routes.post('/test/release/:id', {}, (c) => {
      const release = held.get(c.params.id);
      held.delete(c.params.id);
      release?.();
      return { released: !!release };
    });
  },
};
`;
