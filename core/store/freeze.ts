/** Deep copy so callers can never mutate stored state by accident. */
export const clone = <T>(value: T): T => structuredClone(value);

/** Freeze a document all the way down: it can then be shared with readers without a copy. */
export function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object' || Object.isFrozen(v)) continue;
    Object.freeze(v);
    for (const child of Object.values(v)) stack.push(child);
  }
  return value;
}
