/**
 * @module web/databases/regions
 * Durable Object location hints (what the API stores as `locationHint`) and
 * the names people know them by. The API accepts exactly these codes.
 */
export const REGIONS = [
  ['wnam', 'Western North America'],
  ['enam', 'Eastern North America'],
  ['sam', 'South America'],
  ['weur', 'Western Europe'],
  ['eeur', 'Eastern Europe'],
  ['apac', 'Asia-Pacific'],
  ['oc', 'Oceania'],
  ['afr', 'Africa'],
  ['me', 'Middle East'],
] as const;

/** "Western Europe" for `weur`; "Automatic" when no hint was given; an unknown code as it is. */
export function regionName(code: string | null | undefined): string {
  if (!code) return 'Automatic';
  return REGIONS.find(([c]) => c === code)?.[1] ?? code;
}
