/**
 * @module web/charts/ResultChart
 * Hand-written SVG charts for query results (no chart library is installed).
 * The SVG uses a fixed viewBox and scales to its container, so it fits a phone
 * as well as a 1280 px screen. Each series path carries `data-points` for tests.
 */
import { type ChartSpec, niceTicks, timeTicks } from './chart-model.ts';

const W = 800;
const H = 280;
const M = { top: 12, right: 16, bottom: 28, left: 56 };
const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

const fmtNum = (n: number) =>
  Math.abs(n) >= 1e6 ? n.toExponential(1) : n.toLocaleString(undefined, { maximumFractionDigits: 2 });

function fmtTime(ms: number, span: number) {
  const d = new Date(ms);
  if (span < 2 * 86_400_000) return d.toISOString().slice(11, 16);
  return d.toISOString().slice(5, 10);
}

function LineChart({ spec }: { spec: Extract<ChartSpec, { kind: 'line' }> }) {
  const all = spec.series.flatMap((s) => s.points);
  const [t0, t1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  let [v0, v1] = [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  if (v0 === v1) [v0, v1] = [v0 - 1, v1 + 1];
  const x = (t: number) => M.left + ((t - t0) / (t1 - t0 || 1)) * (W - M.left - M.right);
  const y = (v: number) => H - M.bottom - ((v - v0) / (v1 - v0)) * (H - M.top - M.bottom);
  const xTicks = timeTicks(t0, t1, 5);
  return (
    <figure className="chart" data-testid="chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`Line chart of ${spec.series.map((s) => s.name).join(', ')} over ${spec.timeColumn}`}
        data-testid="chart-line"
      >
        {niceTicks(v0, v1).map((v) => (
          <g key={`y${v}`} className="grid">
            <line x1={M.left} x2={W - M.right} y1={y(v)} y2={y(v)} />
            <text x={M.left - 6} y={y(v)} textAnchor="end" dominantBaseline="middle">
              {fmtNum(v)}
            </text>
          </g>
        ))}
        {xTicks.map((t) => (
          <text key={`x${t}`} className="axis" x={x(t)} y={H - 8} textAnchor="middle">
            {fmtTime(t, t1 - t0)}
          </text>
        ))}
        {spec.series.map((s, i) => (
          <g key={s.name}>
            <path
              d={s.points
                .map((p, j) => `${j ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`)
                .join(' ')}
              fill="none"
              stroke={COLORS[i % COLORS.length]}
              strokeWidth={2}
              data-series={s.name}
              data-points={s.points.length}
            />
            {s.points.length <= 60 &&
              s.points.map((p) => (
                <circle key={p[0]} cx={x(p[0])} cy={y(p[1])} r={3} fill={COLORS[i % COLORS.length]}>
                  <title>{`${s.name} @ ${new Date(p[0]).toISOString()}: ${fmtNum(p[1])}`}</title>
                </circle>
              ))}
          </g>
        ))}
      </svg>
      <figcaption className="legend">
        {spec.series.map((s, i) => (
          <span key={s.name}>
            <i style={{ background: COLORS[i % COLORS.length] }} aria-hidden="true" /> {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

function BarChart({ spec }: { spec: Extract<ChartSpec, { kind: 'bar' }> }) {
  const rowH = 22;
  const labelW = 160;
  const h = spec.bars.length * rowH + 8;
  const max = Math.max(0, ...spec.bars.map((b) => b.value));
  const min = Math.min(0, ...spec.bars.map((b) => b.value));
  const x = (v: number) => labelW + ((v - min) / (max - min || 1)) * (W - labelW - 80);
  return (
    <figure className="chart" data-testid="chart">
      <svg
        viewBox={`0 0 ${W} ${h}`}
        role="img"
        aria-label={`Bar chart of ${spec.valueColumn} by ${spec.categoryColumn}`}
        data-testid="chart-bar"
      >
        {spec.bars.map((b, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: labels may repeat; bars are positional.
          <g key={i}>
            <text x={labelW - 6} y={i * rowH + 15} textAnchor="end" className="axis">
              {b.label.length > 22 ? `${b.label.slice(0, 21)}…` : b.label}
            </text>
            <rect
              x={Math.min(x(0), x(b.value))}
              y={i * rowH + 4}
              width={Math.max(1, Math.abs(x(b.value) - x(0)))}
              height={rowH - 6}
              fill={COLORS[0]}
              data-value={b.value}
            >
              <title>{`${b.label}: ${fmtNum(b.value)}`}</title>
            </rect>
            <text x={Math.max(x(0), x(b.value)) + 4} y={i * rowH + 15} className="axis">
              {fmtNum(b.value)}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}

export function ResultChart({ spec }: { spec: ChartSpec }) {
  return spec.kind === 'line' ? <LineChart spec={spec} /> : <BarChart spec={spec} />;
}
