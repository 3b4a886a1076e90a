/**
 * @module web/sql/query-history
 * Per-database query history in localStorage: newest first, deduplicated, capped.
 */
const MAX = 50;
const key = (database: string) => `orochi.history.${database}`;

export interface HistoryEntry {
  sql: string;
  at: number;
  ok: boolean;
}

export function loadHistory(database: string): HistoryEntry[] {
  try {
    return JSON.parse(localStorage.getItem(key(database)) ?? '[]') as HistoryEntry[];
  } catch {
    return [];
  }
}

export function pushHistory(database: string, entry: HistoryEntry): HistoryEntry[] {
  const next = [entry, ...loadHistory(database).filter((e) => e.sql !== entry.sql)].slice(0, MAX);
  localStorage.setItem(key(database), JSON.stringify(next));
  return next;
}
