/**
 * `GET /api/openapi.json`: an OpenAPI 3.1 document generated from the route records of every loaded plugin and their
 * zod schemas, so it is always what the server really accepts.
 */
import { z, type ZodType } from 'zod';
import { publicPath, type RouteRecord } from './route-table.ts';

function schemaOf(s: ZodType | undefined): Record<string, unknown> | undefined {
  if (!s) return undefined;
  try {
    const { $schema: _s, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    return rest;
  } catch {
    return {};
  }
}

/**
 * `getConversationsById` for `GET /conversations/:id`: the method, then each path segment in PascalCase, parameters as
 * `By<Name>`. Client generators name their methods by it, so it must be stable and unique.
 */
export function deriveOperationId(method: string, path: string): string {
  const words = path
    .split('/')
    .filter(Boolean)
    .map((seg) => {
      const param = /^[:{]([A-Za-z0-9_]+)\}?$/.exec(seg);
      return param ? `By${pascal(param[1])}` : pascal(seg);
    });
  return method.toLowerCase() + (words.join('') || 'Root');
}

function pascal(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

/** A unique id for each route: the route's own `operationId` when given, else derived; clashes get a numeric suffix. */
function uniqueIds(records: RouteRecord[]): string[] {
  const taken = new Set<string>();
  return records.map((r) => {
    const base = r.options.operationId?.trim() || deriveOperationId(r.method, r.path);
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}${n}`;
    taken.add(id);
    return id;
  });
}

export function openApiDocument(records: RouteRecord[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  const ids = uniqueIds(records);
  const tags = new Set<string>();
  for (const [i, r] of records.entries()) {
    tags.add(r.plugin);
    const p = publicPath(r).replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const params = [...p.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = schemaOf(r.options.query) as { properties?: Record<string, unknown>; required?: string[] } | undefined;
    for (const [name, schema] of Object.entries(query?.properties ?? {})) {
      params.push({ name, in: 'query', required: !!query?.required?.includes(name), schema: schema as any });
    }
    const body = schemaOf(r.options.body);
    const access = r.options.access ?? 'user';
    // Open only when nobody checks a token: a public route that authenticates in its handler is bearer-protected.
    const security = access !== 'public' ? {} : r.options.handlerAuth === 'bearer' ? { security: [{ bearer: [] }] } : { security: [] };
    (paths[p] ??= {})[r.method] = {
      operationId: ids[i],
      summary: r.options.summary ?? `${r.method.toUpperCase()} ${p}`,
      tags: [r.plugin],
      ...security,
      ...(access === 'admin' ? { description: 'Admin only.' } : {}),
      ...(params.length ? { parameters: params } : {}),
      ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: body } } } } : {}),
      responses: {
        '200': { description: r.options.stream ? 'Server-sent events' : 'Success', content: r.options.stream ? { 'text/event-stream': {} } : { 'application/json': {} } },
        '4XX': { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'AION', version, description: 'The AION control API and the ALIN REST API, generated from the loaded plugins.' },
    servers: [{ url: '/' }],
    tags: [...tags].sort().map((name) => ({ name, description: `Routes of the ${name} plugin` })),
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT or aion_ API key' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error', 'code'],
          properties: { error: { type: 'string' }, code: { type: 'string' }, details: {} },
        },
      },
    },
    paths,
  };
}
