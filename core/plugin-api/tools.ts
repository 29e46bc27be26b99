/** The tools contract: what a tool declares (schema, risk, approval) and what a call receives. */
import type { ZodType } from 'zod';
import type { JsonSchema, User } from './common.ts';

/** How dangerous a tool is. */
export type ToolRisk = 'read' | 'write' | 'exec' | 'network';

/** What a running tool gets besides its arguments. */
export interface ToolCallContext {
  /** The tool call's id (the model's `tool_use` id). */
  id: string;
  user: User;
  conversationId: string;
  /** Aborted when the client disconnects, the turn is stopped, or the tool times out. */
  signal: AbortSignal;
  /** Report progress of a long tool (0–100). */
  emit(progress: { percent: number; label?: string }): void;
  /** Show a thought in the chat while the tool runs (an AION `thought` event with this call's id; e.g. a reflection). */
  thought?(text: string, trigger?: string): void;
}

/** A tool the agent may call. */
export interface ToolDefinition<A = any> {
  /** Unique, `[a-zA-Z0-9_-]{1,64}`. */
  name: string;
  description: string;
  /** A zod schema or a plain JSON Schema object; providers see JSON Schema. */
  input: ZodType<A> | JsonSchema;
  risk: ToolRisk;
  /** Ask the user before running; a function decides per call. Fails closed: an error while deciding = ask. */
  needsApproval?: boolean | ((args: A, call: ToolCallContext) => boolean | Promise<boolean>);
  /** Default 60 s. */
  timeoutMs?: number;
  run(args: A, call: ToolCallContext): unknown | Promise<unknown>;
}
