/**
 * The tools of all loaded plugins, with their inputs as JSON Schema (what providers see) and a validator (zod, or a
 * zod schema built from a plain JSON Schema) that runs before `run`.
 */
import { z, type ZodType } from 'zod';
import type { JsonSchema, ToolDefinition } from '../plugin-api/types.ts';

export interface RegisteredTool {
  def: ToolDefinition;
  plugin: string;
  inputSchema: JsonSchema;
  validate(args: unknown): { ok: true; value: any } | { ok: false; message: string };
}

function isZod(schema: unknown): schema is ZodType {
  return !!schema && typeof schema === 'object' && typeof (schema as ZodType).safeParse === 'function';
}

const registered = new WeakMap<ToolDefinition, RegisteredTool>();

/** Wrap one tool definition: derive JSON Schema and a validator once per definition (cached for registry rebuilds). */
export function registerTool(def: ToolDefinition, plugin: string): RegisteredTool {
  const known = registered.get(def);
  if (known) return known;
  const tool = wrapTool(def, plugin);
  registered.set(def, tool);
  return tool;
}

function wrapTool(def: ToolDefinition, plugin: string): RegisteredTool {
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(def.name)) throw new Error(`invalid tool name "${def.name}"`);
  if (typeof def.run !== 'function') throw new Error(`tool ${def.name} has no run()`);
  let zodSchema: ZodType;
  let inputSchema: JsonSchema | undefined;
  if (isZod(def.input)) {
    zodSchema = def.input;
  } else {
    inputSchema = (def.input as JsonSchema) ?? { type: 'object', properties: {} };
    zodSchema = z.fromJSONSchema(inputSchema as any) as ZodType;
  }
  // A zod input's JSON Schema is derived when a model or a listing first asks for it, not when the plugin registers
  // the tool: every start registers every tool, and the conversions were ~20 ms of it (issue #16).
  const zodInput = zodSchema;
  return {
    def,
    plugin,
    get inputSchema(): JsonSchema {
      if (!inputSchema) {
        const { $schema: _s, ...rest } = z.toJSONSchema(zodInput, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
        inputSchema = rest;
      }
      return inputSchema;
    },
    validate(args) {
      const r = zodSchema.safeParse(args ?? {});
      if (r.success) return { ok: true, value: r.data };
      const issues = r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || 'input'}: ${i.message}`);
      return { ok: false, message: `Invalid arguments for ${def.name}: ${issues.join('; ')}` };
    },
  };
}
