/**
 * The workspace service behind `ctx.workspace`: each user's confined folder (`DATA_DIR/workspaces/<userId>`, or the
 * folder an admin mapped in the `workspace_roots` setting), the file operations, and sandboxed code execution with
 * per-user and global concurrency limits and the settings' timeout cap.
 */
import type { SettingsService } from '../settings.ts';
import { editWorkspaceFile, listWorkspaceDir, readWorkspaceFile, writeWorkspaceFile } from './files.ts';
import { executeCode, MAX_TIMEOUT_MS, type ExecuteResult } from './execute.ts';
import { ExecLimiter } from './limiter.ts';
import { workspaceRoot } from './paths.ts';
import { sandboxCapabilities } from './sandbox.ts';
import { scanWorkspace, type ScanOptions } from './scan.ts';
import { searchWorkspace, type SearchOptions } from './search.ts';

export class WorkspaceService {
  private limiter = new ExecLimiter({ perUser: 2, global: 4 });

  /**
   * @param hidden what executed code must never see: the data folder (other workspaces, the store, the JWT secret) and
   * the keys file.
   */
  constructor(private readonly dataDir: string, private readonly settings: SettingsService, private readonly hidden: string[] = [dataDir]) {}

  root(userId: string): Promise<string> {
    return workspaceRoot(this.dataDir, userId, this.settings.get().workspace_roots);
  }

  async read(userId: string, path: string, maxBytes?: number) {
    return readWorkspaceFile(await this.root(userId), path, maxBytes);
  }

  async write(userId: string, path: string, content: string) {
    return writeWorkspaceFile(await this.root(userId), path, content);
  }

  async list(userId: string, dirPath?: string) {
    return listWorkspaceDir(await this.root(userId), dirPath);
  }

  async edit(userId: string, path: string, find: string, replace: string, opts: { replaceAll?: boolean } = {}) {
    return editWorkspaceFile(await this.root(userId), path, find, replace, opts);
  }

  async scan(userId: string, opts: ScanOptions = {}) {
    return scanWorkspace(await this.root(userId), opts);
  }

  async search(userId: string, opts: SearchOptions) {
    return searchWorkspace(await this.root(userId), opts);
  }

  /** Run code in the user's workspace; waits for a slot (429 when the wait is too long). */
  async execute(userId: string, opts: { language: string; code: string; timeoutMs?: number; signal?: AbortSignal }): Promise<ExecuteResult> {
    const cap = Math.min(this.settings.get().code_timeout_max_ms, MAX_TIMEOUT_MS);
    const cwd = await this.root(userId);
    return this.limiter.run(userId, () =>
      executeCode({ language: opts.language, code: opts.code, cwd, timeoutMs: Math.min(opts.timeoutMs ?? 30_000, cap), signal: opts.signal, hidePaths: this.hidden }),
    );
  }

  capabilities() {
    return sandboxCapabilities();
  }
}
