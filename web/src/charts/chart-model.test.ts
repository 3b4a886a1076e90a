import { describe, expect, it } from 'vitest';
import { chooseChart, niceTicks, timeTicks, toTime } from './chart-model.ts';

const ts = (h: number) => `2024-01-01 ${String(h).padStart(2, '0')}:00:00+00`;

describe('chooseChart', () => {
  it('draws a line per numeric column over a typed time column, sorted by time', () => {
    const spec = chooseChart(
      [
        { name: 'bucket', type: 'timestamptz' },
        { name: 'avg', type: 'float8' },
        { name: 'max', type: 'numeric' },
      ],
      [
        [ts(2), 3, '9'],
        [ts(0), 1, '7'],
        [ts(1), 2, '8'],
      ],
    );
    expect(spec?.kind).toBe('line');
    if (spec?.kind !== 'line') return;
    expect(spec.series.map((s) => s.name)).toEqual(['avg', 'max']);
    expect(spec.series[0].points.map((p) => p[1])).toEqual([1, 2, 3]);
    // numeric arrives as a string to keep precision; the chart still plots it.
    expect(spec.series[1].points.map((p) => p[1])).toEqual([7, 8, 9]);
  });

  it('splits series by a low-cardinality text column', () => {
    const rows = [0, 1, 2].flatMap((h) => ['a', 'b'].map((host) => [ts(h), host, h]));
    const spec = chooseChart(
      [
        { name: 't', type: 'timestamp' },
        { name: 'host', type: 'text' },
        { name: 'v', type: 'int8' },
      ],
      rows,
    );
    expect(spec?.kind === 'line' && spec.series.map((s) => [s.name, s.points.length])).toEqual([
      ['a', 3],
      ['b', 3],
    ]);
  });

  it('recognises ISO strings as time when the type is unknown', () => {
    const spec = chooseChart(
      [
        { name: 't', type: '' },
        { name: 'v', type: '' },
      ],
      [
        ['2024-01-01T00:00:00Z', 1],
        ['2024-01-01T01:00:00Z', 2],
      ],
    );
    expect(spec?.kind).toBe('line');
  });

  it('draws bars for category + number, and nothing for text only or a single row', () => {
    const cols = [
      { name: 'host', type: 'text' },
      { name: 'n', type: 'bigint' },
    ];
    const spec = chooseChart(cols, [
      ['a', '5'],
      ['b', 3],
    ]);
    expect(spec).toEqual({
      kind: 'bar',
      categoryColumn: 'host',
      valueColumn: 'n',
      bars: [
        { label: 'a', value: 5 },
        { label: 'b', value: 3 },
      ],
    });
    expect(chooseChart(cols, [['a', 1]])).toBeNull();
    expect(chooseChart([{ name: 's', type: 'text' }], [['x'], ['y']])).toBeNull();
  });
});

it('does not chart numeric keys such as id or host_id', () => {
  const cols = [
    { name: 'id', type: 'integer' },
    { name: 'label', type: 'text' },
  ];
  expect(
    chooseChart(cols, [
      [1, 'one'],
      [2, 'two'],
    ]),
  ).toBeNull();
});

describe('ticks', () => {
  it('parses PostgreSQL timestamptz text', () => {
    expect(toTime('2024-01-01 05:00:00+00')).toBe(Date.UTC(2024, 0, 1, 5));
  });
  it('puts value ticks on 1-2-5 steps inside the range', () => {
    expect(niceTicks(0, 100)).toEqual([0, 50, 100]);
    expect(niceTicks(0.1, 0.9)).toEqual([0.2, 0.4, 0.6, 0.8]);
  });
  it('puts time ticks on round hours', () => {
    const t = timeTicks(Date.UTC(2024, 0, 1, 0, 10), Date.UTC(2024, 0, 1, 23));
    expect(t.every((x) => x % 3_600_000 === 0)).toBe(true);
    expect(t.length).toBeGreaterThanOrEqual(3);
  });
});
