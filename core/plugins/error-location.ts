/**
 * Where in a plugin's own sources a load failure happened, for the plugin list and the log: `index.ts:7:14: message`
 * and the line quoted with a caret under the column — the same shape for a build error, a throw at import or in
 * `setup`, and a broken `plugin.json`. A throw is located through the source map written beside the bundle
 * (`bundle.ts`), read with Node's own `SourceMap`.
 */
import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where a load error is, for the plugin list and the log. */
export interface PluginErrorLocation {
  /** Relative to the plugin folder. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  lineText: string;
}

/** A plugin that failed to load: the message names file, line and column and quotes the line. */
export class PluginLoadError extends Error {
  constructor(message: string, readonly location?: PluginErrorLocation) {
    super(message);
    this.name = 'PluginLoadError';
  }
}

/** The quoted line with a caret under the (1-based) column. */
export function excerpt(line: number, column: number, lineText: string): string {
  const gutter = ' '.repeat(String(line).length);
  return `\n  ${line} | ${lineText}\n  ${gutter} | ${' '.repeat(Math.max(0, column - 1))}^`;
}

/** `prefix file:line:column: text` plus the excerpt. */
export function locatedError(prefix: string, text: string, location: PluginErrorLocation): PluginLoadError {
  const at = `${location.file}:${location.line}:${location.column}`;
  return new PluginLoadError(`${prefix}${at}: ${text}${excerpt(location.line, location.column, location.lineText)}`, location);
}

/** Line and column (1-based) of a character offset in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number; lineText: string } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const start = before.lastIndexOf('\n') + 1;
  const end = text.indexOf('\n', offset);
  return { line, column: offset - start + 1, lineText: text.slice(start, end < 0 ? undefined : end).replace(/\r$/, '') };
}

const cache = new Map<string, SourceMap | null>();

function sourceMapOf(bundleFile: string): SourceMap | undefined {
  if (!cache.has(bundleFile)) {
    try {
      cache.set(bundleFile, new SourceMap(JSON.parse(readFileSync(`${bundleFile}.map`, 'utf8')) as SourceMapPayload));
    } catch {
      cache.set(bundleFile, null); // an older bundle without a map: the message stays as it is
    }
  }
  return cache.get(bundleFile) ?? undefined;
}

/** `line:column` (1-based) of each stack frame that points into `bundleFile` (as a path or a file URL, any query). */
function framesIn(stack: string, bundleFile: string): Array<{ line: number; column: number }> {
  const frames: Array<{ line: number; column: number }> = [];
  for (const m of stack.matchAll(/((?:file:\/\/)?[^\s()]+?\.mjs)(?:\?[^\s():]*)?:(\d+):(\d+)/g)) {
    const file = m[1].startsWith('file://') ? fileURLToPath(m[1]) : m[1];
    if (file === bundleFile) frames.push({ line: Number(m[2]), column: Number(m[3]) });
  }
  return frames;
}

/** The first frame of `error` that maps back to a file of the plugin folder, or undefined. */
export function locateThrow(error: unknown, bundleFile: string, pluginDir: string): PluginErrorLocation | undefined {
  const stack = (error as Error | undefined)?.stack;
  const map = typeof stack === 'string' ? sourceMapOf(bundleFile) : undefined;
  if (!map) return undefined;
  for (const frame of framesIn(stack!, bundleFile)) {
    const entry = map.findEntry(frame.line - 1, frame.column - 1) as Partial<{ originalSource: string; originalLine: number; originalColumn: number }>;
    if (!entry.originalSource || entry.originalLine === undefined) continue;
    const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : entry.originalSource;
    const rel = path.relative(pluginDir, source);
    if (rel.startsWith('..') || path.isAbsolute(rel)) continue; // an npm package's frame
    const text = readFileSync(source, 'utf8').split('\n')[entry.originalLine]?.replace(/\r$/, '') ?? '';
    return { file: rel, line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1, lineText: text };
  }
  return undefined;
}

/** A throw from a plugin's code at `phase` ('import', 'setup') as a located error; as it was when it cannot be located. */
export function locatedThrow(error: unknown, phase: string, bundleFile: string, pluginDir: string): unknown {
  let location: PluginErrorLocation | undefined;
  try {
    location = locateThrow(error, bundleFile, pluginDir);
  } catch {
    location = undefined; // a source that changed or vanished since the build: no location rather than a second error
  }
  if (!location) return error;
  const message = String((error as Error)?.message ?? error);
  return locatedError(`${phase} failed: `, message, location);
}
