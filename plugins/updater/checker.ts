/**
 * Update checks: the first one `UPDATE_FIRST_CHECK_MS` (default 60 s) after start, then every `UPDATE_INTERVAL_MS`
 * (default 24 h), plus on demand. Only reports; it never changes the installation.
 */
import { compareVersions } from './semver.ts';
import { fetchRelease } from './feed.ts';

/** `GET /api/update-status`, field names of the original. */
export interface UpdateState {
  current_version: string;
  latest_version: string | null;
  update_available: boolean | null;
  release_url: string | null;
  release_notes: string | null;
  /** ISO 8601 (UTC) of the last finished check. */
  last_checked: string | null;
  error: string | null;
}

const CHECK_TIMEOUT_MS = 15_000;

export class UpdateChecker {
  readonly state: UpdateState;
  private running: Promise<void> | undefined;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    currentVersion: string,
    private readonly feed: () => { url: string; packageName: string },
    private readonly onNewVersion: (version: string) => void,
    /** May this instance run the scheduled check of this period? (Several instances: exactly one does.) */
    private readonly claim: (period: number) => Promise<boolean> = async () => true,
  ) {
    this.state = { current_version: currentVersion, latest_version: null, update_available: null, release_url: null, release_notes: null, last_checked: null, error: null };
  }

  /** Plan the first check and the daily ones. */
  start(firstMs: number, intervalMs: number): void {
    const scheduled = () => void this.claim(Math.floor(Date.now() / intervalMs)).then((mine) => (mine ? this.check() : undefined), () => undefined);
    const first = setTimeout(() => {
      scheduled();
      this.timers.push(setInterval(scheduled, intervalMs).unref());
    }, firstMs);
    first.unref();
    this.timers.push(first);
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  /** True while a check runs. */
  get busy(): boolean {
    return !!this.running;
  }

  /** Check now (one at a time; a second call joins the running one). */
  check(): Promise<void> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<void> {
    const { url, packageName } = this.feed();
    try {
      const release = await fetchRelease(url, packageName, AbortSignal.timeout(CHECK_TIMEOUT_MS));
      const cmp = compareVersions(release.version, this.state.current_version);
      if (cmp === undefined) throw new Error(`Feed version "${release.version.slice(0, 64)}" is not a semantic version`);
      const newer = cmp > 0;
      if (newer && this.state.latest_version !== release.version) this.onNewVersion(release.version);
      Object.assign(this.state, {
        latest_version: release.version,
        update_available: newer,
        release_url: release.url,
        release_notes: release.notes,
        error: null,
      });
    } catch (error: any) {
      this.state.error = String(error?.name === 'TimeoutError' ? 'Feed did not answer in time' : (error?.message ?? error)).slice(0, 300);
    } finally {
      this.state.last_checked = new Date().toISOString();
    }
  }
}
