/** The workspace library: confinement, file operations, scan, search and sandboxed code execution. */
export { resolveInWorkspace, workspaceRoot, toWorkspaceRelative, isInside } from './paths.ts';
export { readWorkspaceFile, writeWorkspaceFile, listWorkspaceDir, editWorkspaceFile, MAX_READ_BYTES, MAX_WRITE_BYTES } from './files.ts';
export type { ReadResult, WriteResult, ListEntry, EditResult } from './files.ts';
export { scanWorkspace, DEFAULT_SCAN_LIMITS } from './scan.ts';
export type { ScanOptions, ScanResult, ScanFile, ScanLimits } from './scan.ts';
export { searchWorkspace, hasRipgrep, DEFAULT_MAX_RESULTS } from './search.ts';
export type { SearchOptions, SearchResult, SearchMatch } from './search.ts';
export { executeCode, normalizeLanguage, DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS, TIMEOUT_EXIT_CODE } from './execute.ts';
export type { ExecuteOptions, ExecuteResult, ExecLanguage } from './execute.ts';
export { sandboxCapabilities } from './sandbox.ts';
export type { SandboxCapabilities } from './sandbox.ts';
export { ExecLimiter } from './limiter.ts';
export type { ExecLimiterOptions } from './limiter.ts';
