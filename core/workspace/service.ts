/**
 * The workspace service behind `ctx.workspace`: each user's confined folder (`DATA_DIR/workspaces/<userId>`, or the
 * folder an admin mapped in the `workspace_roots` setting), the file operations under the disk quota, and sandboxed
 * code execution with per-user and global concurrency limits and the settings' timeout and memory caps.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SettingsService } from '../settings.ts';
import { editWorkspaceFile, listWorkspaceDir, MAX_WRITE_BYTES, readWorkspaceFile, writeWorkspaceFile, type WriteGuard } from './files.ts';
import { DEFAULT_MAX_FILE_BYTES, executeCode, MAX_TIMEOUT_MS, type ExecuteResult } from './execute.ts';
import { ExecLimiter } from './limiter.ts';
import { realpath } from 'node:fs/promises';
import { AppError } from '../errors.ts';
import { hostProgramScript } from './confine.ts';
import { isInside, workspaceRoot } from './paths.ts';
import { watchQuota, WorkspaceUsage } from './quota.ts';
import { sandboxCapabilities, sandboxPlan } from './sandbox.ts';
import { scanWorkspace, type ScanOptions } from './scan.ts';
import { searchWorkspace, type SearchOptions } from './search.ts';

/** The project this file belongs to, and its dependencies (wherever a symlinked `node_modules` really lives). */
const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MiB = 1024 * 1024;

export class WorkspaceService {
  private limiter = new ExecLimiter({ perUser: 2, global: 4 });
  private usage = new WorkspaceUsage();
  /** Read-only for executed code: the project, its `node_modules`, every plugin folder. */
  private readonly installation: string[];

  /**
   * @param hidden what executed code must never see: the data folder (other workspaces, the store, the JWT secret) and
   * the keys file.
   * @param pluginDirs the plugin folders (built-in and `PLUGINS_DIRS`), read-only for executed code.
   */
  constructor(
    private readonly dataDir: string,
    private readonly settings: SettingsService,
    private readonly hidden: string[] = [dataDir],
    pluginDirs: string[] = [],
  ) {
    this.installation = [PROJECT_ROOT, path.join(PROJECT_ROOT, 'node_modules'), ...pluginDirs];
  }

  private quotaBytes(): number {
    return (this.settings.get().workspace_quota_mb ?? 0) * MiB;
  }

  /** A write guard that enforces the quota, and records the change once the write landed. */
  private async quotaGuarded<T>(root: string, write: (guard: WriteGuard) => Promise<T>): Promise<T> {
    let delta = 0;
    const result = await write(async (oldBytes, newSize) => {
      delta = await this.usage.admit(root, this.quotaBytes(), oldBytes, newSize);
    });
    this.usage.adjust(root, delta);
    return result;
  }

  root(userId: string): Promise<string> {
    return workspaceRoot(this.dataDir, userId, this.settings.get().workspace_roots);
  }

  async read(userId: string, path: string, maxBytes?: number) {
    return readWorkspaceFile(await this.root(userId), path, maxBytes);
  }

  /** 413 `QUOTA_EXCEEDED` when the workspace would pass `workspace_quota_mb`. */
  async write(userId: string, path: string, content: string) {
    const root = await this.root(userId);
    return this.quotaGuarded(root, (guard) => writeWorkspaceFile(root, path, content, MAX_WRITE_BYTES, guard));
  }

  async list(userId: string, dirPath?: string) {
    return listWorkspaceDir(await this.root(userId), dirPath);
  }

  async edit(userId: string, path: string, find: string, replace: string, opts: { replaceAll?: boolean } = {}) {
    const root = await this.root(userId);
    return this.quotaGuarded(root, (guard) => editWorkspaceFile(root, path, find, replace, { ...opts, guard }));
  }

  async scan(userId: string, opts: ScanOptions = {}) {
    return scanWorkspace(await this.root(userId), opts);
  }

  async search(userId: string, opts: SearchOptions) {
    return searchWorkspace(await this.root(userId), opts);
  }

  /**
   * Run code in the user's workspace; waits for a slot (429 when the wait is too long). No file the code writes may
   * pass the room left under the quota (RLIMIT_FSIZE); the workspace is recounted afterwards, and a run that left it
   * over the quota says so in its stderr.
   */
  async execute(userId: string, opts: { language: string; code: string; timeoutMs?: number; signal?: AbortSignal }): Promise<ExecuteResult> {
    const settings = this.settings.get();
    const cap = Math.min(settings.code_timeout_max_ms, MAX_TIMEOUT_MS);
    const cwd = await this.root(userId);
    return this.limiter.run(userId, async () => {
      const quota = this.quotaBytes();
      const room = quota > 0 ? Math.max(0, quota - (await this.usage.bytes(cwd))) : DEFAULT_MAX_FILE_BYTES;
      // Stopped (like an abort) when a recount while it runs finds the workspace over its quota.
      const controller = new AbortController();
      const forward = () => controller.abort(opts.signal?.reason);
      opts.signal?.addEventListener('abort', forward, { once: true });
      if (opts.signal?.aborted) forward();
      let overQuota = false;
      const stopWatch = watchQuota(this.usage, cwd, quota, () => {
        overQuota = true;
        controller.abort();
      });
      let result: ExecuteResult;
      try {
        result = await executeCode({
          language: opts.language, code: opts.code, cwd,
          timeoutMs: Math.min(opts.timeoutMs ?? 30_000, cap),
          memoryBytes: (settings.code_memory_mb ?? 1024) * MiB,
          maxFileBytes: Math.min(room, DEFAULT_MAX_FILE_BYTES),
          signal: controller.signal, hidePaths: this.hidden, readOnlyPaths: this.installation,
        });
      } finally {
        stopWatch();
        opts.signal?.removeEventListener('abort', forward);
      }
      const used = await this.usage.recount(cwd);
      const mb = (b: number) => Math.ceil(b / MiB);
      const note = (text: string) => (result.stderr += `${result.stderr && !result.stderr.endsWith('\n') ? '\n' : ''}[${text}]`);
      if (overQuota) note('Execution stopped: the workspace passed its disk quota');
      if (quota > 0 && used > quota) note(`Workspace over its disk quota: ${mb(used)} MB of ${mb(quota)} MB; file writes are refused until files are removed`);
      return result;
    });
  }

  /**
   * Wraps a host program run for a user (e.g. the Claude CLI, which needs the network and its account's credentials,
   * so it cannot run in the code sandbox) in a private mount namespace: the data folder is hidden except `cwd` (a
   * folder of that user's workspace), the keys file is hidden, the installation is read-only, and every capability is
   * dropped. Spawn the returned argv with `cwd` as its working folder. Where the machine has no mount namespaces the
   * argv comes back unchanged (`confined: false`).
   */
  async hostProgram(userId: string, cwd: string, argv: string[]): Promise<{ argv: string[]; confined: boolean }> {
    const root = await this.root(userId);
    const real = await realpath(cwd);
    // Inside the user's workspace, or outside everything hidden (an admin-chosen folder); never in the data folder.
    const inHidden = this.hidden.some((h) => isInside(path.resolve(h), real));
    if (!isInside(root, real) && inHidden) throw new AppError(400, 'PATH_OUTSIDE_WORKSPACE', 'The working folder must be inside the workspace');
    const plan = await sandboxPlan();
    if (!plan.unshareArgs.includes('--mount') || !plan.setprivArgs.length) return { argv, confined: false };
    const script = hostProgramScript({ workspace: real, hidden: this.hidden, readOnly: this.installation });
    const userNs = plan.unshareArgs.includes('--user') ? ['--user', '--map-root-user'] : [];
    const wrapped = ['unshare', ...userNs, '--mount', '--', 'sh', '-c', `${script} exec "$@"`, 'sh', 'setpriv', ...plan.setprivArgs, '--', ...argv];
    return { argv: wrapped, confined: true };
  }

  capabilities() {
    return sandboxCapabilities();
  }
}
