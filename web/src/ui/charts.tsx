/**
 * Hand-built SVG charts (no chart library): horizontal bars for rates, columns for a daily series, lines for a time
 * series. Each chart draws at the pixel width of its box (a ResizeObserver), so its 11 px labels stay 11 px and are
 * thinned or moved instead of shrinking into unreadable text on a phone.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatDateTime, formatNumber, t } from '../i18n/index.ts';

export interface Bar {
  label: string;
  value: number;
  /** Text shown at the end of the bar; defaults to the value. */
  text?: string;
}

/** The rendered width of an element, following resizes (a fallback until the first measurement). */
function useWidth(fallback = 520) {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(200, Math.floor(el.getBoundingClientRect().width)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width] as const;
}

/** About how many characters of 11 px text fit in `px`. */
const charsIn = (px: number) => Math.max(3, Math.floor(px / 6.5));
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Horizontal bars, values 0–`max`; on a narrow box the label sits above its bar. */
export function HBarChart({ bars, max = 1, title }: { bars: Bar[]; max?: number; title: string }) {
  const [ref, width] = useWidth();
  const narrow = width < 420;
  const labelW = narrow ? 0 : Math.min(180, Math.round(width * 0.32));
  const valueW = narrow ? 0 : 92;
  const barW = width - labelW - valueW - 8;
  const row = narrow ? 40 : 26;
  const height = bars.length * row + 4;
  return (
    <div ref={ref} class="chart-box">
      <svg class="chart" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
        <title>{title}</title>
        {bars.map((b, i) => {
          const w = Math.max(1, (Math.min(b.value, max) / max) * barW);
          const y = i * row + 2;
          const barY = narrow ? y + 18 : y + 3;
          const text = b.text ?? formatNumber(b.value);
          return (
            <g key={b.label}>
              {narrow ? (
                <>
                  <text x={0} y={y + 12} class="chart-label">{clip(b.label, charsIn(width * 0.6))}</text>
                  <text x={width} y={y + 12} text-anchor="end" class="chart-value">{text}</text>
                </>
              ) : (
                <>
                  <text x={labelW - 8} y={y + 16} text-anchor="end" class="chart-label">{clip(b.label, charsIn(labelW - 8))}</text>
                  <text x={labelW + barW + 6} y={y + 16} class="chart-value">{text}</text>
                </>
              )}
              <rect x={labelW} y={barY} width={barW} height={row - (narrow ? 24 : 8)} class="chart-track" rx="3" />
              <rect x={labelW} y={barY} width={w} height={row - (narrow ? 24 : 8)} class={b.value / max < 0.8 ? 'chart-bar chart-bar-warn' : 'chart-bar'} rx="3" />
            </g>
          );
        })}
      </svg>
    </div>
  );
}

/** Every `step`-th label, so labels of about `labelPx` never overlap in `slotPx` slots. */
const labelStep = (count: number, slotPx: number, labelPx: number) => Math.max(1, Math.ceil(labelPx / Math.max(1, slotPx)));

/** Vertical bars for a daily series (tokens per day); labels thinned to fit, values in the tooltip. */
export function ColumnChart({ bars, title }: { bars: Bar[]; title: string }) {
  const [ref, width] = useWidth();
  const height = 180;
  const bottom = 24;
  const top = 18;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const slot = width / Math.max(1, bars.length);
  const colW = Math.min(40, slot * 0.7);
  const step = labelStep(bars.length, slot, 44);
  const showValues = slot >= 44;
  return (
    <div ref={ref} class="chart-box">
      <svg class="chart" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
        <title>{title}</title>
        <line x1="0" x2={width} y1={height - bottom} y2={height - bottom} class="chart-axis" />
        <text x={0} y={11} class="chart-value">{t('ui.max', { value: max })}</text>
        {bars.map((b, i) => {
          const h = (b.value / max) * (height - bottom - top);
          const x = i * slot + (slot - colW) / 2;
          const last = i === bars.length - 1;
          return (
            <g key={b.label}>
              <rect x={x} y={height - bottom - h} width={colW} height={Math.max(h, 1)} class="chart-bar" rx="2">
                <title>{`${b.label}: ${b.text ?? formatNumber(b.value)}`}</title>
              </rect>
              {((bars.length - 1 - i) % step === 0 || last) && (
                <text x={x + colW / 2} y={height - 8} text-anchor="middle" class="chart-label">
                  {b.label}
                </text>
              )}
              {showValues && h > 0 && (
                <text x={x + colW / 2} y={height - bottom - h - 4} text-anchor="middle" class="chart-value">
                  {b.text ?? formatNumber(b.value)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </div>
  );
}

export interface Series {
  label: string;
  /** CSS class of the line (its colour). */
  class: string;
  points: Array<[ts: number, value: number]>;
}

/**
 * Lines over time: a y axis from 0 to `yMax` (or the largest value) with three grid lines, time labels thinned to
 * fit, and a legend below in HTML (it wraps on a phone).
 */
export function LineChart({ series, title, yMax, unit = '' }: { series: Series[]; title: string; yMax?: number; unit?: string }) {
  const [ref, width] = useWidth();
  const height = 170;
  const right = 8;
  const top = 10;
  const bottom = 22;
  const all = series.flatMap((s) => s.points);
  const t0 = Math.min(...all.map((p) => p[0]));
  const t1 = Math.max(...all.map((p) => p[0]));
  const max = yMax ?? Math.max(1, ...all.map((p) => p[1])) * 1.1;
  const fmtY = (v: number) => `${formatNumber(v, { maximumFractionDigits: v < 10 ? 1 : 0 })}${unit}`;
  // The y labels decide the left margin, so "1,047 ms" is never cut.
  const left = Math.max(36, Math.max(...[0, max / 2, max].map((v) => fmtY(v).length)) * 6.5 + 8);
  const x = (ts: number) => left + (t1 > t0 ? ((ts - t0) / (t1 - t0)) * (width - left - right) : 0);
  const y = (v: number) => top + (1 - Math.min(v, max) / max) * (height - top - bottom);
  const ticks = Math.max(2, Math.min(6, Math.floor((width - left) / 90)));
  return (
    <div ref={ref} class="chart-box">
      {all.length < 2 ? (
        <p class="muted small" role="status">…</p>
      ) : (
        <svg class="chart" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
          <title>{title}</title>
          {[0, 0.5, 1].map((f) => (
            <g key={f}>
              <line x1={left} x2={width - right} y1={y(max * f)} y2={y(max * f)} class="chart-grid" />
              <text x={left - 4} y={y(max * f) + 4} text-anchor="end" class="chart-label">{fmtY(max * f)}</text>
            </g>
          ))}
          {Array.from({ length: ticks }, (_, i) => t0 + ((t1 - t0) * i) / (ticks - 1)).map((ts, i) => (
            <text key={i} x={x(ts)} y={height - 6} text-anchor={i === 0 ? 'start' : i === ticks - 1 ? 'end' : 'middle'} class="chart-label">
              {formatDateTime(ts, { hour: '2-digit', minute: '2-digit', second: t1 - t0 < 600_000 ? '2-digit' : undefined })}
            </text>
          ))}
          {series.map((s) => (
            <polyline key={s.label} class={`chart-line ${s.class}`} points={s.points.map(([ts, v]) => `${x(ts).toFixed(1)},${y(v).toFixed(1)}`).join(' ')} />
          ))}
        </svg>
      )}
      <ul class="chart-legend">
        {series.map((s) => {
          const last = s.points.at(-1);
          return (
            <li key={s.label}>
              <span class={`swatch ${s.class}`} aria-hidden="true" /> {s.label}
              {last && `: ${fmtY(last[1])}`}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
