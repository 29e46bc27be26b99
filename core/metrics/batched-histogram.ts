/**
 * A Prometheus histogram whose observation is an array increment. prom-client's `Histogram.observe` validates the
 * label names, hashes the label set and looks it up on every call, even through `labels(…)` (issue #16: 2–3 % of an
 * authenticated GET's server time). Here a caller resolves its label set once (`series`) and keeps it; an observation
 * adds to that series' bucket counts, and the cumulative buckets are built only when the registry is read.
 *
 * It is registered in prom-client's registry, which formats it: the metric interface the registry reads (`name`,
 * `help`, `type`, `aggregator`, `get`, `getForPromString`, `reset`) returns the same values, in the same order and shape,
 * as prom-client's own `Histogram` (`<name>_bucket{le=…}` cumulative, `+Inf`, `_sum`, `_count` per label set).
 */

/** One label set's counts: `counts[i]` observations ≤ bound i (and above the previous one); the last slot is above all. */
export interface HistogramSeries {
  readonly labels: Readonly<Record<string, string>>;
  observe(value: number): void;
}

interface SeriesState extends HistogramSeries {
  counts: Float64Array;
  sum: number;
  count: number;
}

/** A value of the metric as prom-client's registry reads it (`getForPromString`: the series' labels as `sharedLabels`). */
interface MetricValue {
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string>;
  value: number;
  metricName: string;
  /** prom-client's shape: `null` on buckets (no exemplars kept), `undefined` on `_sum` and `_count`. */
  exemplar: null | undefined;
}

export interface MetricData {
  name: string;
  help: string;
  type: 'histogram';
  values: MetricValue[];
  aggregator: 'sum';
}

export class BatchedHistogram {
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  private readonly bounds: readonly number[];
  private readonly bySeries = new Map<string, SeriesState>();

  constructor(readonly name: string, readonly help: string, readonly labelNames: readonly string[], buckets: readonly number[]) {
    this.bounds = Object.freeze([...buckets].sort((a, b) => a - b));
  }

  /** The series of `labels` (every label name given, as prom-client requires), made on first use. */
  series(labels: Record<string, string>): HistogramSeries {
    for (const name of this.labelNames) if (typeof labels[name] !== 'string') throw new Error(`histogram ${this.name}: label "${name}" missing`);
    const key = this.labelNames.map((n) => labels[n]).join('\u0000');
    let s = this.bySeries.get(key);
    if (!s) {
      const state: SeriesState = {
        labels: Object.freeze({ ...labels }),
        counts: new Float64Array(this.bounds.length + 1),
        sum: 0,
        count: 0,
        observe: (value: number) => this.add(state, value),
      };
      this.bySeries.set(key, (s = state));
    }
    return s;
  }

  private add(s: SeriesState, value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    s.counts[i]!++;
    s.sum += value;
    s.count++;
  }

  /** What the registry formats as text: buckets with the series' labels apart (`sharedLabels`), as prom-client does. */
  async getForPromString(): Promise<MetricData> {
    const values: MetricValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.bySeries.values()) {
      const shared = s.labels as Record<string, string>;
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += s.counts[i]!;
        values.push({ labels: { le }, sharedLabels: shared, value: cumulative, metricName: bucket, exemplar: null });
      });
      values.push({ labels: { le: '+Inf' }, sharedLabels: shared, value: s.count, metricName: bucket, exemplar: null });
      values.push({ labels: {}, sharedLabels: shared, value: s.sum, metricName: `${this.name}_sum`, exemplar: undefined });
      values.push({ labels: {}, sharedLabels: shared, value: s.count, metricName: `${this.name}_count`, exemplar: undefined });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** The JSON form (`registry.getMetricsAsJSON`): each value's labels merged, as prom-client's `get` returns them. */
  async get(): Promise<MetricData> {
    const data = await this.getForPromString();
    data.values = data.values.map(({ sharedLabels, labels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } }));
    return data;
  }

  /** `registry.resetMetrics()`: every series starts over at zero. */
  reset(): void {
    for (const s of this.bySeries.values()) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }
}
