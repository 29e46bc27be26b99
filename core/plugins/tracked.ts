/**
 * Wrappers that count every call into a plugin's code on the generation that registered it, so a replaced generation
 * is unloaded only after those calls end — a provider stream counts until it ends, not until it starts.
 */
import type { ProviderDefinition, ToolDefinition } from '../plugin-api/types.ts';
import type { Generation } from './generation.ts';

export function trackedTool(gen: Generation, def: ToolDefinition): ToolDefinition {
  const approval = def.needsApproval;
  return {
    ...def,
    run: (args, call) => gen.enter(() => def.run(args, call)),
    needsApproval: typeof approval === 'function' ? (args, call) => gen.enter(() => approval(args, call)) : approval,
  };
}

export function trackedProvider(gen: Generation, def: ProviderDefinition): ProviderDefinition {
  const tracked = trackedObject(gen, def) as ProviderDefinition;
  return Object.assign(tracked, {
    stream: (request: Parameters<ProviderDefinition['stream']>[0], signal: AbortSignal) => gen.stream(() => def.stream(request, signal)),
  });
}

/**
 * A shallow copy of `impl` whose methods run counted on `gen`: a method returning a promise counts until it settles.
 * Plain values are copied as they are; getters are read through.
 */
export function trackedObject<T extends object>(gen: Generation, impl: T): T {
  const out: Record<PropertyKey, unknown> = {};
  const keys = new Set<PropertyKey>();
  for (let o: object | null = impl; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const k of Reflect.ownKeys(o)) if (k !== 'constructor') keys.add(k);
  }
  for (const key of keys) {
    const value = (impl as any)[key];
    if (typeof value !== 'function') {
      out[key] = value;
      continue;
    }
    out[key] = (...args: unknown[]) => {
      const release = gen.acquire();
      let result: unknown;
      try {
        result = value.apply(impl, args);
      } catch (error) {
        release();
        throw error;
      }
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        return (result as Promise<unknown>).finally(release);
      }
      release();
      return result;
    };
  }
  return out as T;
}
