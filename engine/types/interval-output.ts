/**
 * @module engine/types/interval-output
 * Interval text output as PostgreSQL's EncodeInterval writes it, in each IntervalStyle:
 * `postgres` (the default: '1 year 2 mons -3 days +04:05:06.7'), `postgres_verbose`
 * ('@ 1 year 2 mons -3 days 4 hours 5 mins 6.7 secs ago'), `sql_standard` ('+1-2 -3 +4:05:06.7')
 * and `iso_8601` ('P1Y2M-3DT4H5M6.7S'). One function; the session setting picks the style.
 */
import type { Interval } from '../vector.ts';

/** PostgreSQL's IntervalStyle values. */
export type IntervalStyle = 'postgres' | 'postgres_verbose' | 'sql_standard' | 'iso_8601';

/** AppendSeconds: |sec| (two digits when `pad`), then up to six fraction digits without trailing zeros. */
function seconds(sec: number, fsec: number, pad: boolean): string {
  const s = String(Math.abs(sec));
  const whole = pad ? s.padStart(2, '0') : s;
  if (fsec === 0) return whole;
  return `${whole}.${String(Math.abs(fsec)).padStart(6, '0').replace(/0+$/, '')}`;
}

/** The interval's text in `style` (infinite intervals are 'infinity' / '-infinity' in every style). */
export function formatInterval(iv: Interval, style: IntervalStyle = 'postgres'): string {
  if (iv.months === Infinity) return 'infinity';
  if (iv.months === -Infinity) return '-infinity';
  // interval2itm: C's truncating division on every field.
  let year = Math.trunc(iv.months / 12);
  let mon = iv.months - year * 12;
  let mday = iv.days;
  let hour = Math.trunc(iv.micros / 3_600_000_000);
  let rest = iv.micros - hour * 3_600_000_000;
  let min = Math.trunc(rest / 60_000_000);
  rest -= min * 60_000_000;
  let sec = Math.trunc(rest / 1_000_000);
  let fsec = rest - sec * 1_000_000;
  switch (style) {
    case 'sql_standard': {
      const f = [year, mon, mday, hour, min, sec, fsec];
      const neg = f.some((x) => x < 0);
      const pos = f.some((x) => x > 0);
      const hasYm = year !== 0 || mon !== 0;
      const hasDt = mday !== 0 || hour !== 0 || min !== 0 || sec !== 0 || fsec !== 0;
      const standard = !(neg && pos) && !(hasYm && hasDt);
      let out = '';
      if (neg && standard) {
        out = '-';
        [year, mon, mday, hour, min, sec, fsec] = f.map((x) => -x + 0);
      }
      const time = () => `${hour}:${String(min).padStart(2, '0')}:${seconds(sec, fsec, true)}`;
      if (!neg && !pos) return '0';
      if (!standard) {
        const ys = year < 0 || mon < 0 ? '-' : '+';
        const ds = mday < 0 ? '-' : '+';
        const ts = hour < 0 || min < 0 || sec < 0 || fsec < 0 ? '-' : '+';
        return `${ys}${Math.abs(year)}-${Math.abs(mon)} ${ds}${Math.abs(mday)} ${ts}${Math.abs(hour)}:${String(Math.abs(min)).padStart(2, '0')}:${seconds(sec, fsec, true)}`;
      }
      if (hasYm) return `${out}${year}-${mon}`;
      if (mday !== 0) return `${out}${mday} ${time()}`;
      return `${out}${time()}`;
    }
    case 'iso_8601': {
      if ([year, mon, mday, hour, min, sec, fsec].every((x) => x === 0)) return 'PT0S';
      const part = (v: number, u: string) => (v === 0 ? '' : `${v}${u}`);
      let out = `P${part(year, 'Y')}${part(mon, 'M')}${part(mday, 'D')}`;
      if (hour !== 0 || min !== 0 || sec !== 0 || fsec !== 0) out += 'T';
      out += `${part(hour, 'H')}${part(min, 'M')}`;
      if (sec !== 0 || fsec !== 0) out += `${sec < 0 || fsec < 0 ? '-' : ''}${seconds(sec, fsec, false)}S`;
      return out;
    }
    case 'postgres_verbose': {
      let out = '@';
      let zero = true;
      let before = false;
      const part = (value: number, unit: string) => {
        if (value === 0) return;
        let v = value;
        if (zero) {
          before = v < 0;
          v = Math.abs(v);
        } else if (before) v = -v;
        out += ` ${v} ${unit}${v === 1 ? '' : 's'}`;
        zero = false;
      };
      part(year, 'year');
      part(mon, 'mon');
      part(mday, 'day');
      part(hour, 'hour');
      part(min, 'min');
      if (sec !== 0 || fsec !== 0) {
        out += ' ';
        if (sec < 0 || (sec === 0 && fsec < 0)) {
          if (zero) before = true;
          else if (!before) out += '-';
        } else if (before) out += '-';
        out += `${seconds(sec, fsec, false)} sec${Math.abs(sec) !== 1 || fsec !== 0 ? 's' : ''}`;
        zero = false;
      }
      if (zero) out += ' 0';
      if (before) out += ' ago';
      return out;
    }
    default: {
      let out = '';
      let zero = true;
      let before = false;
      const part = (value: number, unit: string) => {
        if (value === 0) return;
        out += `${zero ? '' : ' '}${before && value > 0 ? '+' : ''}${value} ${unit}${value !== 1 ? 's' : ''}`;
        // Each non-zero field sets the '+' of (only) the next one.
        before = value < 0;
        zero = false;
      };
      part(year, 'year');
      part(mon, 'mon');
      part(mday, 'day');
      if (zero || hour !== 0 || min !== 0 || sec !== 0 || fsec !== 0) {
        const minus = hour < 0 || min < 0 || sec < 0 || fsec < 0;
        out += `${zero ? '' : ' '}${minus ? '-' : before ? '+' : ''}${String(Math.abs(hour)).padStart(2, '0')}:${String(Math.abs(min)).padStart(2, '0')}:${seconds(sec, fsec, true)}`;
      }
      return out;
    }
  }
}
