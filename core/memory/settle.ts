/**
 * Waiting for a background job that may be replaced while it runs (a re-embedding restarted for a newer embedder):
 * await the current job, and again if it changed meanwhile, until the job awaited is still the current one.
 */
export async function settleLatest(current: () => Promise<unknown>): Promise<void> {
  let job: Promise<unknown>;
  do {
    job = current();
    await job;
  } while (job !== current());
}
