/**
 * A plugin's heavy dependency loaded on first use, not when the plugin loads (issue #16). The load runs once and its
 * promise is kept; a failure is not kept, so the next use tries again (the package may be installed meanwhile).
 * `failure` turns the load's error, told by its first line, into what callers see (a coded error, usually).
 */
export function loadOnFirstUse<T>(load: () => Promise<T>, failure: (reason: string, error: unknown) => Error): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw failure(String((error as Error)?.message ?? error).split('\n')[0]!.slice(0, 200), error);
    }));
}
