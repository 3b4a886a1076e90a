/** @module web/components/format — dates as people read them, in their locale. */
export function fmtDate(v: string | null | undefined): string {
  if (!v) return '—';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? v : d.toLocaleString();
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
