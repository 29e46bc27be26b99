/**
 * One point of the host's figures over time, as `GET /api/system/metrics?history=1` sends it. Types only, with no
 * imports, so the panel (web/src/pages/system.tsx) reads the same contract the plugin writes.
 */
export interface Sample {
  ts: number;
  /** CPU use of the machine in %. */
  cpu: number;
  /** Memory use of the machine in %. */
  memory: number;
  /** The server process's resident set in bytes. */
  rss: number;
  /** Event-loop delay in ms since the previous sample. */
  lagMeanMs: number;
  lagMaxMs: number;
}
