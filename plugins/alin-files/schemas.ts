/**
 * Request bodies of the files endpoints and inputs of the file tools. Paths may be given as `filePath` / `dirPath`
 * (the documented names) or `path` (what the original client sends); every string is bounded.
 */
import { z } from 'zod';

/** Longest path accepted (the confinement library refuses longer ones too). */
const PathStr = z.string().max(4096);
/** Largest file content accepted in a body (the library answers 413 above its own byte cap). */
const MAX_CONTENT_CHARS = 5 * 1024 * 1024;
const Glob = z.string().min(1).max(256);
const Globs = z.array(Glob).max(50);

export const ReadBody = z.object({ filePath: PathStr.optional(), path: PathStr.optional() });

export const WriteBody = z.object({
  filePath: PathStr.optional(),
  path: PathStr.optional(),
  content: z.string().max(MAX_CONTENT_CHARS),
});

export const ListBody = z.object({ dirPath: PathStr.optional(), path: PathStr.optional(), filePath: PathStr.optional() });

export const ScanBody = z.object({
  dirPath: PathStr.optional(),
  path: PathStr.optional(),
  recursive: z.boolean().optional(),
  maxDepth: z.number().int().min(0).max(100).optional(),
  includeContents: z.boolean().optional(),
  filePatterns: Globs.optional(),
  excludePatterns: Globs.optional(),
});

export const SearchBody = z.object({
  query: z.string().min(1).max(1000),
  dirPath: PathStr.optional(),
  path: PathStr.optional(),
  regex: z.boolean().optional(),
  caseSensitive: z.boolean().optional(),
  filePatterns: Globs.optional(),
  maxResults: z.number().int().min(1).max(1000).optional(),
});

/** The first path spelling given (`filePath`/`dirPath` win over `path`); `''` = not given. */
export const pickPath = (...candidates: Array<string | undefined>): string => candidates.find((c) => c !== undefined) ?? '';

// ── tool inputs (the model sees these as JSON Schema) ──

export const FileReadInput = z.object({ path: PathStr.min(1).describe('File path relative to the workspace') });
export const FileWriteInput = z.object({
  path: PathStr.min(1).describe('File path relative to the workspace; folders are created'),
  content: z.string().max(MAX_CONTENT_CHARS).describe('The whole new file content'),
});
export const FileListInput = z.object({ path: PathStr.optional().describe('Folder relative to the workspace (default: the root)') });
export const ScanInput = z.object({
  path: PathStr.optional().describe('Folder to scan (default: the workspace root)'),
  maxDepth: z.number().int().min(0).max(20).optional(),
  includeContents: z.boolean().optional().describe('Include file contents (default true)'),
  filePatterns: Globs.optional().describe('Only files matching these globs, e.g. ["*.ts"]'),
  excludePatterns: Globs.optional(),
});
export const CodeSearchInput = z.object({
  query: z.string().min(1).max(1000),
  path: PathStr.optional().describe('Folder to search (default: the workspace root)'),
  regex: z.boolean().optional(),
  caseSensitive: z.boolean().optional(),
  filePatterns: Globs.optional(),
  maxResults: z.number().int().min(1).max(500).optional(),
});
export const EditInput = z.object({
  path: PathStr.min(1),
  find: z.string().min(1).max(MAX_CONTENT_CHARS).describe('Exact text to replace; must occur once unless replaceAll'),
  replace: z.string().max(MAX_CONTENT_CHARS),
  replaceAll: z.boolean().optional(),
});
