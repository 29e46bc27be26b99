/**
 * A nesting limit for every JSON body, checked once after parsing: the store deep-copies and serialises documents
 * recursively, so a body nested thousands of levels deep would overflow the stack there. Refusing it where bodies are parsed
 * (body-parser.ts) makes it a 400 for every plugin at once.
 */
import { badRequest } from '../errors.ts';

/** Deepest nesting a body may have (objects and arrays). */
export const MAX_DEPTH = 64;

/** True when `value` nests at most `max` levels (iterative, so it cannot overflow itself). */
export function withinDepth(value: unknown, max = MAX_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d >= max) return false;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return true;
}

/** Throws the 400 `JSON_TOO_DEEP` for a parsed body nested deeper than `MAX_DEPTH`. */
export function assertWithinDepth(body: unknown): void {
  if (body && typeof body === 'object' && !withinDepth(body)) {
    throw badRequest(`JSON body must not be nested deeper than ${MAX_DEPTH} levels`, undefined, 'JSON_TOO_DEEP');
  }
}
