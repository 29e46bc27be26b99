/**
 * What a TBWO and a receipt look like on the wire. The original client's `dbInit.ts` reads `tbwo.receipts` as the
 * engine's receipts object (it spreads it and rebuilds `podReceipts` from an entries array) and the engine reads
 * `tbwo.execution_state`; receipt rows came back in the original's column names.
 */
import type { Receipt } from './data.ts';
import type { TbwoRecord } from './record.ts';

/** A receipt row in both spellings: ours (`tbwoId`, `type`, `createdAt`) and the original's columns. */
export function receiptView(r: Receipt, userId: string) {
  return { ...r, tbwo_id: r.tbwoId, receipt_type: r.type, created_at: r.createdAt, user_id: userId };
}

/**
 * The record as returned: `receipts` is the object the client last sent, else the data of the newest `full` receipt
 * posted to `/receipts`, else `null`; the execution snapshot under both names.
 */
export function tbwoView(record: TbwoRecord, receiptsNewestFirst: Receipt[]) {
  const posted = receiptsNewestFirst.find((r) => r.type === 'full' && r.data && typeof r.data === 'object' && !Array.isArray(r.data));
  const receipts = record.receipts ?? ((posted?.data as Record<string, unknown> | undefined) ?? null);
  return { ...record, receipts, executionState: record.executionState, execution_state: record.executionState };
}
