/**
 * Reject after `ms` unless `promise` settles first.
 *
 * The timer is *not* unref'd: while the host waits for a plugin (a `setup` that never resolves), this timer is what
 * keeps the event loop alive, so the wait ends in a timeout error instead of Node exiting with code 13 ("unsettled
 * top-level await") because nothing else is pending.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, message = `timed out after ${ms} ms`): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
