/**
 * @module web/charts/LineChart
 * Line charts of query results with uPlot (canvas, made for large series).
 * The chart draws at most a few points per pixel column (see downsample.ts),
 * so a million-row result draws as fast as a thousand-row one. Time x axes
 * show UTC dates, like the result grid. A checkbox per series chooses what is
 * drawn. The figure carries `data-points` (points in the result) and
 * `data-drawn` (points handed to the canvas) for tests.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { fmtNumber } from '../components/format.ts';
import type { ChartSpec } from './chart-model.ts';
import { chartData } from './downsample.ts';

export const COLORS = [
  '#2563eb',
  '#dc2626',
  '#16a34a',
  '#d97706',
  '#7c3aed',
  '#0891b2',
  '#db2777',
  '#4b5563',
];
const HEIGHT = 280;
/** Series drawn before the person picks: the first few, so a wide result is still legible. */
const INITIALLY_DRAWN = 8;

type LineSpec = Extract<ChartSpec, { kind: 'line' }>;

/** The container's content width, following resizes. */
function useWidth(ref: React.RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(Math.floor(el.clientWidth)));
    ro.observe(el);
    setWidth(Math.floor(el.clientWidth));
    return () => ro.disconnect();
  }, [ref]);
  return width;
}

const utc = (ms: number) => uPlot.tzDate(new Date(ms), 'Etc/UTC');

export function LineChart({ spec }: { spec: LineSpec }) {
  const [shown, setShown] = useState(() => new Set(spec.series.slice(0, INITIALLY_DRAWN).map((s) => s.name)));
  const box = useRef<HTMLDivElement>(null);
  const width = useWidth(box);
  const drawn = useMemo(() => spec.series.filter((s) => shown.has(s.name)), [spec, shown]);
  const data = useMemo(() => (width > 0 ? chartData(drawn, width) : null), [drawn, width]);
  const total = useMemo(() => spec.series.reduce((n, s) => n + s.xs.length, 0), [spec]);
  // A series keeps its colour when others are hidden: the colour follows its place in the result.
  const colorOf = useMemo(() => {
    const byName = new Map(spec.series.map((s, i) => [s.name, COLORS[i % COLORS.length]]));
    return (name: string) => byName.get(name) ?? COLORS[0];
  }, [spec]);

  useEffect(() => {
    const el = box.current;
    if (!el || !data || width === 0 || drawn.length === 0) return;
    const plot = new uPlot(
      {
        width,
        height: HEIGHT,
        ms: 1,
        tzDate: utc,
        scales: { x: { time: spec.xIsTime } },
        legend: { show: true, live: true },
        cursor: { points: { show: false } },
        axes: [
          { label: spec.xIsTime ? `${spec.xColumn} (UTC)` : spec.xColumn, labelSize: 20 },
          { values: (_u, ticks) => ticks.map((t) => fmtNumber(t, 'compact')), size: 60 },
        ],
        series: [
          { label: spec.xColumn, value: spec.xIsTime ? '{YYYY}-{MM}-{DD} {HH}:{mm}:{ss}' : undefined },
          ...drawn.map((s) => ({
            label: s.name,
            stroke: colorOf(s.name),
            width: 1.5,
            spanGaps: true,
            points: { show: false },
            value: (_u: uPlot, v: number | null) => (v === null ? '—' : fmtNumber(v)),
          })),
        ],
      },
      data as uPlot.AlignedData,
      el,
    );
    return () => plot.destroy();
  }, [data, width, drawn, spec, colorOf]);

  const drawnPoints = data ? data[0].length * (data.length - 1) : 0;
  const toggle = (name: string) =>
    setShown((cur) => {
      const next = new Set(cur);
      if (!next.delete(name)) next.add(name);
      return next;
    });

  return (
    <figure
      className="chart"
      data-testid="chart-line"
      data-points={total}
      data-drawn={drawnPoints}
      aria-label={`Line chart of ${drawn.map((s) => s.name).join(', ') || 'no series'} over ${spec.xColumn}`}
    >
      {spec.series.length > 1 && (
        <fieldset className="series-picker">
          <legend>Series</legend>
          {spec.series.map((s) => (
            <label key={s.name} className="inline">
              <input
                type="checkbox"
                checked={shown.has(s.name)}
                onChange={() => toggle(s.name)}
                data-series={s.name}
                data-points={s.xs.length}
              />
              <i style={{ background: colorOf(s.name) }} aria-hidden="true" /> {s.name}
            </label>
          ))}
        </fieldset>
      )}
      <div ref={box} className="plot" />
      {drawn.length === 0 && <p className="empty">Pick a series to draw.</p>}
      {total > drawnPoints && drawnPoints > 0 && (
        <figcaption className="muted">
          {fmtNumber(total)} points, drawn as {fmtNumber(drawnPoints)} (min and max per pixel column).
        </figcaption>
      )}
    </figure>
  );
}
