/** The batched histogram renders exactly what prom-client's own Histogram renders for the same observations. */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import type PromClient from 'prom-client';
import { BatchedHistogram } from './batched-histogram.ts';

const prom = createRequire(import.meta.url)('prom-client') as typeof PromClient;
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const LABELS = ['method', 'route', 'status'] as const;

function pair() {
  const theirs = new prom.Registry();
  const ours = new prom.Registry();
  const reference = new prom.Histogram({ name: 'h_seconds', help: 'help "text"\\', labelNames: LABELS, buckets: BUCKETS, registers: [theirs] });
  const batched = new BatchedHistogram('h_seconds', 'help "text"\\', LABELS, BUCKETS);
  ours.registerMetric(batched as unknown as PromClient.Metric);
  return { theirs, ours, reference, batched };
}

test('same text and JSON as prom-client for values on, between and beyond the bounds', async () => {
  const { theirs, ours, reference, batched } = pair();
  const sets = [
    { method: 'GET', route: '/api/x/:id', status: '200' },
    { method: 'POST', route: 'unmatched', status: '404' },
    { method: 'GET', route: 'a"b\\c\nd', status: '500' },
  ];
  const values = [0, 0.005, 0.0051, 0.01, 0.3, 1, 59.9, 60, 61, 1e6, 0.000001];
  sets.forEach((labels, k) => {
    const series = batched.series(labels);
    for (const v of values.slice(k)) {
      reference.observe(labels, v);
      series.observe(v);
    }
  });
  assert.equal(await ours.metrics(), await theirs.metrics());
  assert.deepEqual(await ours.getMetricsAsJSON(), await theirs.getMetricsAsJSON());
  ours.setContentType(prom.Registry.OPENMETRICS_CONTENT_TYPE as never);
  theirs.setContentType(prom.Registry.OPENMETRICS_CONTENT_TYPE as never);
  assert.equal(await ours.metrics(), await theirs.metrics());
});

test('a label set resolved twice is one series; a missing label or a bad value is refused', async () => {
  const { batched } = pair();
  const a = batched.series({ method: 'GET', route: '/r', status: '200' });
  const b = batched.series({ method: 'GET', route: '/r', status: '200' });
  a.observe(0.2);
  b.observe(0.3);
  const data = await batched.get();
  assert.equal(data.values.find((v) => v.metricName === 'h_seconds_count')?.value, 2);
  assert.throws(() => batched.series({ method: 'GET', route: '/r' } as never), /label "status" missing/);
  assert.throws(() => a.observe(Number.NaN), TypeError);
});

test('reset zeroes every series', async () => {
  const { batched } = pair();
  const s = batched.series({ method: 'GET', route: '/r', status: '200' });
  s.observe(1);
  batched.reset();
  const data = await batched.get();
  assert.ok(data.values.every((v) => v.value === 0));
});
