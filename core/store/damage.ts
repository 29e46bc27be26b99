/**
 * Damage in store files: what counts as damage, where the damaged copy goes, and the error that stops the server from
 * starting when the damage is in data it must not guess about (accounts, collections a plugin marks critical, the
 * JWT secret).
 *
 * A store file is damaged when it is not JSON, is not an object `{ schemaVersion?, items: [...] }`, or holds an item
 * that is not an object with a string `id` (or that the collection's own validator refuses). Damage is never repaired
 * silently: the original bytes are moved aside to `<file>.corrupt-<time>` and logged.
 */
import path from 'node:path';

/** Raised at start when the server must not run on the data it found; `main.ts` prints the message and exits. */
export class StartupRefusedError extends Error {
  /** Exit code for the process (65 = EX_DATAERR in sysexits.h: the input data was incorrect). */
  readonly exitCode = 65;
  constructor(message: string) {
    super(message);
    this.name = 'StartupRefusedError';
  }
}

/** Result of checking a parsed store file. */
export interface ShapeCheck<T> {
  /** The items that are well-formed, in file order (what a salvage keeps). */
  items: T[];
  schemaVersion: number | undefined;
  /** Why the file is damaged; empty when it is not. */
  problems: string[];
}

/**
 * Check the shape of a parsed store file. Duplicate ids are damage too: the index would silently keep only one.
 * `isValid` is the collection's own check of an item (for example the accounts' record shape).
 */
export function checkShape<T extends { id: string }>(data: unknown, isValid?: (doc: unknown) => boolean): ShapeCheck<T> {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { items: [], schemaVersion: undefined, problems: [`the file holds ${describe(data)}, not an object with "items"`] };
  }
  const { items, schemaVersion } = data as { items?: unknown; schemaVersion?: unknown };
  const problems: string[] = [];
  const version = typeof schemaVersion === 'number' && Number.isInteger(schemaVersion) ? schemaVersion : undefined;
  if (schemaVersion !== undefined && version === undefined) problems.push(`"schemaVersion" is ${describe(schemaVersion)}`);
  if (!Array.isArray(items)) return { items: [], schemaVersion: version, problems: [...problems, `"items" is ${describe(items)}, not an array`] };
  const kept: T[] = [];
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const id = (item as { id?: unknown } | null)?.id;
    if (item === null || typeof item !== 'object' || Array.isArray(item) || typeof id !== 'string' || id === '') {
      problems.push(`item ${i} is ${describe(item)}, not a document with an id`);
    } else if (seen.has(id)) {
      problems.push(`item ${i} repeats the id "${id.slice(0, 64)}"`);
    } else if (isValid && !isValid(item)) {
      problems.push(`item ${i} ("${id.slice(0, 64)}") does not have the shape this collection stores`);
    } else {
      seen.add(id);
      kept.push(item as T);
    }
  });
  return { items: kept, schemaVersion: version, problems };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value === 'undefined' ? 'missing' : `a ${typeof value}`;
}

/** Where a damaged file is moved: beside it, stamped with the time (several damages never overwrite each other). */
export function asidePath(file: string, now = new Date()): string {
  return `${file}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
}

/** Is `name` (a file name in the same folder) an aside copy of `file`? */
export function isAsideOf(file: string, name: string): boolean {
  return name.startsWith(`${path.basename(file)}.corrupt-`);
}

/** The message that refuses start for a damaged critical collection: which file, where the copy is, how to restore. */
export function refusalForDamage(label: string, file: string, movedTo: string | undefined, problems: string[]): string {
  const lines = [
    `AION refuses to start: the ${label} file ${file} is damaged (${problems.slice(0, 3).join('; ') || 'unreadable'}).`,
    movedTo ? `The damaged file was moved aside to ${movedTo}, unchanged.` : 'The damaged file was left in place.',
    'Starting without it could hand out accounts or roles (the first signup on an empty accounts file becomes admin), so the server stops instead.',
    'To restore: stop AION, then either',
    `  - copy your last backup of ${path.basename(file)} to ${file}, or`,
    `  - repair the copy (valid JSON: {"schemaVersion":1,"items":[ …documents with an "id"… ]}) and move it back: mv '${movedTo ?? file}' '${file}'`,
    `To start deliberately without this data, move every ${path.basename(file)}.corrupt-* copy out of ${path.dirname(file)} (keep it safe).`,
  ];
  return lines.join('\n');
}
