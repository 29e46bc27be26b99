/**
 * Where TBWOs live: `forUser(u).collection('tbwos')` and one receipt partition per TBWO,
 * `forUser(u).partitioned('tbwo-receipts').partition(tbwoId)`, so a receipt write rewrites one TBWO's file.
 */
import { randomUUID } from 'node:crypto';
import { conflict, notFound, type Collection, type PluginContext } from '../../core/plugin-api/index.ts';
import { ID } from './schemas.ts';
import type { TbwoRecord } from './record.ts';
import { tbwoView } from './shape.ts';

/** A stored receipt: the body as sent plus server-set `id`, `tbwoId`, `type` and `createdAt`. */
export type Receipt = { id: string; tbwoId: string; type: string; createdAt: number } & Record<string, unknown>;

export class TbwoData {
  constructor(private readonly ctx: PluginContext, readonly userId: string) {}

  get tbwos(): Collection<TbwoRecord> {
    return this.ctx.store.forUser(this.userId).collection<TbwoRecord>('tbwos');
  }

  private receiptLog(tbwoId: string): Collection<Receipt> {
    return this.ctx.store.forUser(this.userId).partitioned<Receipt>('tbwo-receipts').partition(tbwoId);
  }

  /** The caller's TBWO or 404 (also for ids that cannot exist, and for other users' TBWOs). */
  async require(id: unknown): Promise<TbwoRecord> {
    const found = typeof id === 'string' && ID.test(id) ? await this.tbwos.get(id) : undefined;
    if (!found) throw notFound('TBWO not found');
    return found;
  }

  /** Insert a new TBWO; a used id → 409. A stale receipt log left by a crash during an earlier delete is cleared. */
  async insert(record: TbwoRecord): Promise<TbwoRecord> {
    if (await this.tbwos.get(record.id)) throw conflict(`A TBWO with id "${record.id}" already exists`, 'ALREADY_EXISTS');
    await this.ctx.store.forUser(this.userId).partitioned('tbwo-receipts').dropPartition(record.id);
    return this.tbwos.insert(record);
  }

  async remove(id: string): Promise<void> {
    await this.tbwos.delete(id);
    await this.ctx.store.forUser(this.userId).partitioned('tbwo-receipts').dropPartition(id);
  }

  /** Append a receipt (server id and timestamp; the client cannot overwrite them). */
  async addReceipt(tbwoId: string, body: Record<string, unknown>): Promise<Receipt> {
    const receipt: Receipt = { ...body, id: randomUUID(), tbwoId, type: typeof body.type === 'string' ? body.type : 'full', createdAt: Date.now() };
    return this.receiptLog(tbwoId).insert(receipt);
  }

  /** Receipts newest first. */
  async receipts(tbwoId: string): Promise<Receipt[]> {
    return (await this.receiptLog(tbwoId).all()).reverse();
  }

  /** The record as the client reads it (`shape.ts`). */
  async view(record: TbwoRecord) {
    return tbwoView(record, await this.receipts(record.id));
  }
}
