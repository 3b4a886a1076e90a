/** @module web/components/format — numbers and dates as people read them, in their locale. */
export function fmtDate(v: string | null | undefined): string {
  if (!v) return '—';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? v : d.toLocaleString();
}

// 15 significant digits: what a float64 holds for sure, so 0.1 + 0.2 reads 0.3, not 0.30000000000000004.
const NUMBER = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 15 });
const PLAIN = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 15, useGrouping: false });
const COMPACT = new Intl.NumberFormat(undefined, { notation: 'compact', maximumSignificantDigits: 3 });

/** A number for display: locale grouping, no float noise; `plain` drops grouping (data grids, where 2024 is often a year). */
export function fmtNumber(n: number, style: 'grouped' | 'plain' | 'compact' = 'grouped'): string {
  if (!Number.isFinite(n)) return String(n);
  return (style === 'plain' ? PLAIN : style === 'compact' ? COMPACT : NUMBER).format(n);
}

const ZERO_FRACTION = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})\.0+(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** An ISO timestamp without a fraction of only zeros (`…T00:00:00.000Z` → `…T00:00:00Z`); other text as is. */
export function fmtTimestampText(v: string): string {
  const m = ZERO_FRACTION.exec(v);
  return m ? `${m[1]}${m[2] ?? ''}` : v;
}

// Order matters: Edge and Chrome UAs also say "Safari", Android UAs also say "Linux".
const BROWSERS: [RegExp, string][] = [
  [/Edg\/(\d+)/, 'Edge'],
  [/Firefox\/(\d+)/, 'Firefox'],
  [/Chrom(?:e|ium)\/(\d+)/, 'Chrome'],
  [/Version\/(\d+).*Safari/, 'Safari'],
];
const SYSTEMS: [RegExp, string][] = [
  [/Android/, 'Android'],
  [/iPhone|iPad/, 'iOS'],
  [/Mac OS X/, 'macOS'],
  [/Windows/, 'Windows'],
  [/Linux/, 'Linux'],
];

/** "Chrome 156 on Linux" from a user-agent string; the raw string stays available as a tooltip. */
export function describeUserAgent(ua: string | null | undefined): string {
  if (!ua) return 'Unknown device';
  const browser = BROWSERS.map(([re, name]) => [re.exec(ua), name] as const).find(([m]) => m);
  if (!browser) return ua.length > 60 ? `${ua.slice(0, 57)}…` : ua;
  const os = SYSTEMS.find(([re]) => re.test(ua))?.[1];
  const label = `${browser[1]} ${browser[0]![1]}`;
  return os ? `${label} on ${os}` : label;
}
