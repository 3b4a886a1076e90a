/**
 * @module web/charts/ResultChart
 * The chart for a query result: lines over time (or over a numeric x) with
 * uPlot, horizontal bars for a few labelled values. Bars stay a small SVG:
 * at most 50 of them, with long labels that a canvas axis would clip.
 */
import { fmtNumber } from '../components/format.ts';
import type { ChartSpec } from './chart-model.ts';
import { COLORS, LineChart } from './LineChart.tsx';

const W = 800;

function BarChart({ spec }: { spec: Extract<ChartSpec, { kind: 'bar' }> }) {
  const rowH = 22;
  const labelW = 160;
  const h = spec.bars.length * rowH + 8;
  let max = 0;
  let min = 0;
  for (const b of spec.bars) {
    max = Math.max(max, b.value);
    min = Math.min(min, b.value);
  }
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
              <title>{`${b.label}: ${fmtNumber(b.value)}`}</title>
            </rect>
            <text x={Math.max(x(0), x(b.value)) + 4} y={i * rowH + 15} className="axis">
              {fmtNumber(b.value)}
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
