/**
 * @module engine/types/session-settings
 * A session's run-time settings (PostgreSQL's GUCs) that the engine honours:
 * TimeZone, DateStyle, IntervalStyle, extra_float_digits, statement_timeout,
 * and the client settings drivers send (client_encoding, application_name,
 * search_path, …) checked as PostgreSQL checks them. A value that would change
 * answers in a way the engine does not implement is refused (0A000) rather than
 * accepted and ignored.
 *
 * One `SessionSettings` per session (the in-process `Database`, a wire-protocol
 * connection, one /v1 call). While a statement runs, its session's settings are
 * the *active* ones (`activeSettings()`): the type formatters and parsers deep in
 * the executor read the zone and styles from there, the way they read the
 * statement clock, instead of threading a context through every value function.
 */
import { SqlError, SqlState } from '../errors.ts';
import { BY_NAME, GUCS, NOT_IMPLEMENTED, notImplemented } from './session-gucs.ts';
import { parseSessionZone, type SessionZone, UTC_ZONE } from './session-zone.ts';

export type DateStyle = 'ISO' | 'Postgres' | 'SQL' | 'German';
export type DateOrder = 'MDY' | 'DMY' | 'YMD';
export type IntervalStyle = 'postgres' | 'postgres_verbose' | 'sql_standard' | 'iso_8601';

/** A session's settings. */
export class SessionSettings {
  private readonly values = new Map<string, string>();
  /** Values to restore at the end of the statement (set_config(…, true)). */
  private readonly saved = new Map<string, string>();
  zone: SessionZone = UTC_ZONE;
  dateStyle: DateStyle = 'ISO';
  dateOrder: DateOrder = 'MDY';
  intervalStyle: IntervalStyle = 'postgres';
  byteaOutput: 'hex' | 'escape' = 'hex';

  /** The canonical setting a name refers to, or undefined (custom dotted names included). */
  static known(name: string): boolean {
    return BY_NAME.has(name.toLowerCase()) || name.includes('.');
  }

  /** Sets `name` (DEFAULT when `value` is null); returns the value SHOW now prints. */
  set(name: string, value: string | null, local = false): string {
    const key = name.toLowerCase();
    const guc = BY_NAME.get(key);
    if (NOT_IMPLEMENTED.has(key)) throw notImplemented(name);
    if (!guc && !key.includes('.'))
      throw new SqlError(SqlState.undefinedObject, `unrecognized configuration parameter "${name}"`);
    const text = value === null ? (guc?.boot ?? '') : guc ? guc.check(value, this) : value;
    if (local && !this.saved.has(key)) this.saved.set(key, this.values.get(key) ?? guc?.boot ?? '');
    this.apply(key, text);
    return text;
  }

  /** RESET name. */
  reset(name: string): void {
    this.set(name, null);
  }

  /** RESET ALL. */
  resetAll(): void {
    for (const key of [...this.values.keys()]) this.apply(key, BY_NAME.get(key)?.boot ?? '');
    this.values.clear();
  }

  /** SHOW name's value; 42704 for an unknown name (a custom one never set included). */
  show(name: string): string {
    const key = name.toLowerCase();
    if (NOT_IMPLEMENTED.has(key)) throw notImplemented(name);
    const v = this.values.get(key) ?? BY_NAME.get(key)?.boot;
    if (v === undefined)
      throw new SqlError(SqlState.undefinedObject, `unrecognized configuration parameter "${name}"`);
    return v;
  }

  /** SHOW's column name for `name`: the setting's canonical spelling. */
  static showName(name: string): string {
    return BY_NAME.get(name.toLowerCase())?.name ?? name.toLowerCase();
  }

  /** SHOW ALL: name, setting, description, sorted by name. */
  showAll(): string[][] {
    return GUCS.map((g) => [g.name, this.show(g.name), g.description]).sort((a, b) =>
      a[0].toLowerCase() < b[0].toLowerCase() ? -1 : 1,
    );
  }

  /** Undoes set_config(…, true) values when the statement (its transaction) ends. */
  endStatement(): void {
    for (const [key, v] of this.saved) this.apply(key, v);
    this.saved.clear();
  }

  /** The values that differ from the boot values (to ship with a plan fragment). */
  changed(): Record<string, string> {
    return Object.fromEntries(this.values);
  }

  /** A session with `values` set (a fragment's settings on a shard). */
  static from(values: Record<string, string>): SessionSettings {
    const s = new SessionSettings();
    for (const [k, v] of Object.entries(values)) s.set(k, v);
    return s;
  }

  private apply(key: string, text: string): void {
    const guc = BY_NAME.get(key);
    if (key === 'timezone') this.zone = parseSessionZone(text);
    if (guc && text === guc.boot) this.values.delete(key);
    else this.values.set(key, text);
    if (key === 'timezone') return;
    if (key === 'datestyle') {
      const [style, order] = text.split(', ');
      this.dateStyle = style as DateStyle;
      this.dateOrder = order as DateOrder;
    } else if (key === 'intervalstyle') this.intervalStyle = text as IntervalStyle;
    else if (key === 'bytea_output') this.byteaOutput = text as 'hex' | 'escape';
  }
}

let active = new SessionSettings();

/** The settings of the statement running now (a default session outside any). */
export function activeSettings(): SessionSettings {
  return active;
}

/** Runs `fn` with `s` as the active settings (restored after, also on error). */
export function withSettings<T>(s: SessionSettings, fn: () => T): T {
  const prev = active;
  active = s;
  try {
    return fn();
  } finally {
    active = prev;
  }
}
