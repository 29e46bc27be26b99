/** Hand-built SVG charts (no chart library): horizontal bars for rates, vertical bars for a series. */

export interface Bar {
  label: string;
  value: number;
  /** Text shown at the end of the bar; defaults to the value. */
  text?: string;
}

/** Horizontal bars, values 0–`max`. */
export function HBarChart({ bars, max = 1, title }: { bars: Bar[]; max?: number; title: string }) {
  const row = 26;
  const labelW = 140;
  const width = 520;
  const barW = width - labelW - 60;
  const height = bars.length * row + 4;
  return (
    <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
      <title>{title}</title>
      {bars.map((b, i) => {
        const w = Math.max(1, (Math.min(b.value, max) / max) * barW);
        const y = i * row + 2;
        return (
          <g key={b.label}>
            <text x={labelW - 8} y={y + 16} text-anchor="end" class="chart-label">
              {b.label.length > 20 ? `${b.label.slice(0, 19)}…` : b.label}
            </text>
            <rect x={labelW} y={y + 3} width={barW} height={row - 8} class="chart-track" rx="3" />
            <rect x={labelW} y={y + 3} width={w} height={row - 8} class={b.value / max < 0.8 ? 'chart-bar chart-bar-warn' : 'chart-bar'} rx="3" />
            <text x={labelW + barW + 6} y={y + 16} class="chart-value">
              {b.text ?? String(b.value)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** Vertical bars for a time series (e.g. tokens per day). */
export function ColumnChart({ bars, title }: { bars: Bar[]; title: string }) {
  const width = 520;
  const height = 180;
  const bottom = 24;
  const top = 16;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const slot = width / Math.max(1, bars.length);
  const colW = Math.min(40, slot * 0.7);
  return (
    <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
      <title>{title}</title>
      <line x1="0" x2={width} y1={height - bottom} y2={height - bottom} class="chart-axis" />
      {bars.map((b, i) => {
        const h = (b.value / max) * (height - bottom - top);
        const x = i * slot + (slot - colW) / 2;
        return (
          <g key={b.label}>
            <rect x={x} y={height - bottom - h} width={colW} height={Math.max(h, 1)} class="chart-bar" rx="2">
              <title>{`${b.label}: ${b.text ?? b.value}`}</title>
            </rect>
            <text x={x + colW / 2} y={height - 8} text-anchor="middle" class="chart-label">
              {b.label}
            </text>
            {h > 0 && (
              <text x={x + colW / 2} y={height - bottom - h - 4} text-anchor="middle" class="chart-value">
                {b.text ?? b.value}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}
