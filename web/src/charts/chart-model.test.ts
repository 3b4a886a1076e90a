import { describe, expect, it } from 'vitest';
import { chooseChart, toTime } from './chart-model.ts';

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
    expect([...spec.series[0].ys]).toEqual([1, 2, 3]);
    expect([...spec.series[0].xs]).toEqual([0, 1, 2].map((h) => Date.UTC(2024, 0, 1, h)));
    // numeric arrives as a string to keep precision; the chart still plots it.
    expect([...spec.series[1].ys]).toEqual([7, 8, 9]);
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
    expect(spec?.kind === 'line' && spec.series.map((s) => [s.name, s.xs.length])).toEqual([
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

describe('large results', () => {
  // Regression: 150,000 rows made the old chart call Math.min(...values) and overflow the stack.
  it('charts 150,000 unsorted rows of (time, temp) without overflowing the stack', () => {
    const n = 150_000;
    const t0 = Date.UTC(2024, 0, 1);
    const rows = Array.from({ length: n }, (_, i) => {
      const k = (i * 7919) % n; // a permutation: rows arrive out of time order
      return [new Date(t0 + k * 1000).toISOString(), 20 + Math.sin(k / 1000)];
    });
    const spec = chooseChart(
      [
        { name: 'time', type: 'timestamptz' },
        { name: 'temp', type: 'float8' },
      ],
      rows,
    );
    expect(spec?.kind).toBe('line');
    if (spec?.kind !== 'line') return;
    const { xs, ys } = spec.series[0];
    expect(xs.length).toBe(n);
    for (let i = 1; i < n; i++) if (xs[i] < xs[i - 1]) throw new Error(`not sorted at ${i}`);
    expect(xs[0]).toBe(t0);
    expect(ys[1000]).toBeCloseTo(20 + Math.sin(1), 10);
  });

  it('draws numbers over a numeric first column, sorted by x', () => {
    const spec = chooseChart(
      [
        { name: 'x', type: 'int4' },
        { name: 'y', type: 'float8' },
      ],
      [
        [3, 9],
        [1, 1],
        [2, 4],
      ],
    );
    expect(spec?.kind === 'line' && spec.xIsTime).toBe(false);
    expect(spec?.kind === 'line' && [...spec.series[0].xs]).toEqual([1, 2, 3]);
    expect(spec?.kind === 'line' && [...spec.series[0].ys]).toEqual([1, 4, 9]);
  });
});

describe('toTime', () => {
  it('parses PostgreSQL timestamptz text and the API ISO form', () => {
    expect(toTime('2024-01-01 05:00:00+00')).toBe(Date.UTC(2024, 0, 1, 5));
    expect(toTime('2024-01-01T05:00:00.000Z')).toBe(Date.UTC(2024, 0, 1, 5));
    expect(toTime('2024-01-01T05:00:00.123456Z')).toBe(Date.UTC(2024, 0, 1, 5, 0, 0, 123));
    expect(toTime('nope')).toBeNull();
  });
});
