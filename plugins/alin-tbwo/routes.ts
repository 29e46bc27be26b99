/** The TBWO endpoints, mounted under a prefix (`/tbwos` as documented, `/tbwo` as the original client used). */
import { forbidden, type PluginContext, type User } from '../../core/plugin-api/index.ts';
import { TbwoData } from './data.ts';
import { applyFields, newRecord } from './record.ts';
import { ListQuery, ReceiptBody, TbwoCreate, TbwoPatch } from './schemas.ts';
import { receiptView } from './shape.ts';

export function registerTbwoRoutes(ctx: PluginContext, prefix: '/tbwos' | '/tbwo') {
  const data = (user: User) => new TbwoData(ctx, user.id);

  ctx.routes.get(prefix, { summary: "The caller's TBWOs, newest updatedAt first", query: ListQuery }, async (_c, { query, user }) => {
    const d = data(user);
    const all = (await d.tbwos.all()).sort((a, b) => b.updatedAt - a.updatedAt).slice(query.offset, query.offset + query.limit);
    return { success: true, tbwos: await Promise.all(all.map((t) => d.view(t))) };
  });

  ctx.routes.post(prefix, { summary: 'Create a TBWO (pro and enterprise plans); every field sent is stored', body: TbwoCreate }, async (c, { body, user }) => {
    if (!ctx.auth.accounts.limits(user).tbwo) {
      throw forbidden('TBWO is not available on your plan. Upgrade to Pro to access autonomous workflows.', 'TBWO_DISABLED');
    }
    const d = data(user);
    const record = newRecord(body, Date.now());
    await d.insert(record);
    c.status = 201;
    return { success: true, id: record.id, tbwo: await d.view(record) };
  });

  ctx.routes.get(`${prefix}/:id`, { summary: 'One TBWO with its receipts and execution state' }, async (_c, { params, user }) => {
    const d = data(user);
    return { success: true, tbwo: await d.view(await d.require(params.id)) };
  });

  ctx.routes.patch(`${prefix}/:id`, { summary: 'Update a TBWO as sent (any status, no enforced transitions, as the original)', body: TbwoPatch }, async (_c, { params, body, user }) => {
    const d = data(user);
    const { id } = await d.require(params.id);
    const updated = await d.tbwos.update(id, (current) => applyFields(current, body, Date.now()));
    if (!updated) await d.require(undefined); // deleted meanwhile → 404
    return { success: true, tbwo: await d.view(updated!) };
  });

  ctx.routes.delete(`${prefix}/:id`, { summary: 'Delete a TBWO and its receipts' }, async (_c, { params, user }) => {
    const d = data(user);
    await d.remove((await d.require(params.id)).id);
    return { success: true };
  });

  ctx.routes.post(`${prefix}/:id/receipts`, { summary: 'Append a receipt (stored whole, server timestamp)', body: ReceiptBody }, async (c, { params, body, user }) => {
    const d = data(user);
    const { id } = await d.require(params.id);
    const receipt = await d.addReceipt(id, body);
    c.status = 201;
    return { success: true, id: receipt.id };
  });

  ctx.routes.get(`${prefix}/:id/receipts`, { summary: "A TBWO's receipts, newest first" }, async (_c, { params, user }) => {
    const d = data(user);
    const receipts = await d.receipts((await d.require(params.id)).id);
    return { success: true, receipts: receipts.map((r) => receiptView(r, user.id)) };
  });
}
