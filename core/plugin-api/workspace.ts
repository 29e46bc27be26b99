/**
 * The workspace contract (`ctx.workspace`): each user's confined folder and sandboxed code execution. Declared here,
 * owned by the plugin API; the core's workspace service implements it (checked where `ctx` is built).
 */

/** A file read. */
export interface ReadResult {
  /** Relative to the workspace root, forward slashes. */
  path: string;
  content: string;
  size: number;
}

/** A file written (atomically). */
export interface WriteResult {
  path: string;
  bytesWritten: number;
}

/** One entry of a folder listing. */
export interface ListEntry {
  name: string;
  /** Relative to the workspace root, forward slashes. */
  path: string;
  isDirectory: boolean;
  size: number;
  /** Epoch ms. */
  modifiedAt: number;
}

/** An exact find-and-replace. */
export interface EditResult {
  path: string;
  replacements: number;
  bytesWritten: number;
}

export interface ScanOptions {
  dirPath?: string;
  recursive?: boolean;
  maxDepth?: number;
  includeContents?: boolean;
  filePatterns?: string[];
  excludePatterns?: string[];
  limits?: Partial<{ maxFileBytes: number; maxTotalBytes: number; maxFiles: number; maxEntries: number }>;
}

export interface ScanFile {
  path: string;
  size: number;
  /** The text, a placeholder for over-size files, or '' when contents were not requested. */
  content: string;
}

export interface ScanResult {
  path: string;
  tree: string;
  files: ScanFile[];
  summary: { totalFiles: number; totalSize: number; languages: Record<string, number>; truncated: boolean };
}

export interface SearchOptions {
  query: string;
  dirPath?: string;
  regex?: boolean;
  caseSensitive?: boolean;
  filePatterns?: string[];
  /** Default 100, at most 1000. */
  maxResults?: number;
  engine?: 'auto' | 'ripgrep' | 'node';
  /** Time bound of the whole search (default 5 s). */
  timeoutMs?: number;
}

export interface SearchMatch {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, UTF-16 code units. */
  column: number;
  text: string;
  context: string;
}

export interface SearchResult {
  matches: SearchMatch[];
  totalMatches: number;
  filesSearched: number;
  truncated: boolean;
  engine: 'ripgrep' | 'node';
}

/** The outcome of one sandboxed run. */
export interface ExecuteResult {
  language: 'python' | 'javascript' | 'shell';
  stdout: string;
  stderr: string;
  exitCode: number;
  durationMs: number;
  timedOut: boolean;
  truncated: boolean;
}

/** Each user's confined folder: every path is resolved (symlinks included) and must stay inside it. */
export interface WorkspaceApi {
  /** The real path of the user's workspace folder. */
  root(userId: string): Promise<string>;
  read(userId: string, path: string, maxBytes?: number): Promise<ReadResult>;
  write(userId: string, path: string, content: string): Promise<WriteResult>;
  list(userId: string, dirPath?: string): Promise<{ path: string; files: ListEntry[]; truncated: boolean }>;
  edit(userId: string, path: string, find: string, replace: string, opts?: { replaceAll?: boolean }): Promise<EditResult>;
  scan(userId: string, opts?: ScanOptions): Promise<ScanResult>;
  search(userId: string, opts: SearchOptions): Promise<SearchResult>;
  /** Run code in the user's workspace sandbox (needs `"exec": true`); waits for a slot, 429 when the wait is too long. */
  execute(userId: string, opts: { language: string; code: string; timeoutMs?: number; signal?: AbortSignal }): Promise<ExecuteResult>;
  /**
   * Wrap a host program run for a user (needs `"exec": true`): a private mount namespace where the data folder is hidden
   * except `cwd` (inside the user's workspace), the keys file is hidden and the installation read-only. Spawn the
   * returned argv in `cwd`; `confined: false` where the machine has no mount namespaces.
   */
  hostProgram(userId: string, cwd: string, argv: string[]): Promise<{ argv: string[]; confined: boolean }>;
  /** What isolation this host can give executed code (for admins). */
  capabilities(): Promise<object>;
}
