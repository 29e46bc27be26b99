/**
 * Input parsing with zod: one place turns a schema mismatch into a 400 with `details` naming the fields.
 */
import type { ZodType } from 'zod';
import { badRequest } from '../errors.ts';

/** Parse `value` with `schema`, or throw 400 `VALIDATION_ERROR` listing each bad field. */
export function parseInput<T>(schema: ZodType<T>, value: unknown, where: 'body' | 'query' | 'params'): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.slice(0, 20).map((issue) => ({
    field: issue.path.map(String).join('.') || where,
    message: issue.message,
  }));
  const first = details[0];
  throw badRequest(`Invalid ${where}: ${first.field} — ${first.message}`, details);
}
