/**
 * `ctx.cluster`: what a plugin needs when several AION instances serve one installation (DATABASE_URL). On a single
 * instance the same calls work trivially — the plugin leads every lease, every claim succeeds once, messages stay in
 * the process — so plugins never branch on the deployment.
 */

export interface ClusterLeaseHandlers {
  /** This instance now leads: start the work only one instance may do (e.g. long polling a bot). */
  onLead(): unknown;
  /** Leadership ended (released, unloaded, or this instance lost its database session): stop that work now. */
  onLose(): unknown;
}

export interface ClusterLease {
  isLeader(): boolean;
  /** Stop leading and competing (also done when the plugin unloads). */
  release(): Promise<void>;
}

export interface ClusterApi {
  /** True when several instances may run this installation at once. */
  readonly shared: boolean;
  /**
   * Compete for leadership `name` (scoped to this plugin): at most one instance leads at a time; when the leader dies,
   * another takes over within seconds.
   */
  lead(name: string, handlers: ClusterLeaseHandlers): ClusterLease;
  /**
   * Claim one occurrence of background work: true for exactly one caller across all instances per (`job`, `due`),
   * e.g. `once('reminder:42', '2026-12-01T10:00')`. Scoped to this plugin.
   */
  once(job: string, due: string | number): Promise<boolean>;
  /** Tell this plugin on the other instances something small (ids, names — at most 1 KB of JSON). */
  publish(topic: string, payload?: Record<string, unknown>): Promise<void>;
  /** Hear this plugin's messages from the other instances (never its own); unsubscribed when the plugin unloads. */
  subscribe(topic: string, handler: (payload: Record<string, unknown>) => unknown): void;
}
