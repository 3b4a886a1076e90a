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
import { parseTimeoutMs } from '../exec/budget.ts';
import { parseSessionZone, type SessionZone, UTC_ZONE } from './session-zone.ts';

export type DateStyle = 'ISO' | 'Postgres' | 'SQL' | 'German';
export type DateOrder = 'MDY' | 'DMY' | 'YMD';
export type IntervalStyle = 'postgres' | 'postgres_verbose' | 'sql_standard' | 'iso_8601';

/** A setting: its SHOW name, boot value, and the check that turns a value into its SHOW text. */
interface Guc {
  readonly name: string;
  readonly boot: string;
  readonly description: string;
  /** Validates `value` (given the current settings) and returns the canonical text. */
  check(value: string, s: SessionSettings): string;
}

const invalid = (name: string, value: string) =>
  new SqlError(SqlState.invalidParameterValue, `invalid value for parameter "${name}": "${value}"`);
const notSupported = (name: string, value: string, why: string) =>
  new SqlError(SqlState.featureNotSupported, `${name} = '${value}' is not supported: ${why}`);

function parseBool(name: string, v: string): string {
  const l = v.trim().toLowerCase();
  if (['on', 'true', 'yes', '1', 't', 'y'].includes(l)) return 'on';
  if (['off', 'false', 'no', '0', 'f', 'n'].includes(l)) return 'off';
  throw new SqlError(SqlState.invalidParameterValue, `parameter "${name}" requires a Boolean value`);
}

function parseIntSetting(name: string, v: string, min: number, max: number): number {
  const t = v.trim();
  if (!/^[+-]?\d+(\.\d+)?$/.test(t))
    throw new SqlError(SqlState.invalidParameterValue, `invalid value for parameter "${name}": "${v}"`);
  const n = Math.round(Number(t));
  if (n < min || n > max)
    throw new SqlError(
      SqlState.invalidParameterValue,
      `${n} is outside the valid range for parameter "${name}" (${min} .. ${max})`,
    );
  return n;
}

const STYLE_NAMES: Record<string, DateStyle> = {
  iso: 'ISO',
  sql: 'SQL',
  postgres: 'Postgres',
  german: 'German',
};
const ORDER_NAMES: Record<string, DateOrder> = {
  ymd: 'YMD',
  dmy: 'DMY',
  euro: 'DMY',
  european: 'DMY',
  mdy: 'MDY',
  us: 'MDY',
  noneuro: 'MDY',
  noneuropean: 'MDY',
};

/** check_datestyle: a style and/or an order; the part not named keeps its current value. */
function checkDateStyle(value: string, s: SessionSettings): string {
  let style: DateStyle = s.dateStyle;
  let order: DateOrder = s.dateOrder;
  let haveStyle = false;
  let haveOrder = false;
  for (const raw of value.split(/[\s,]+/).filter(Boolean)) {
    const tok = raw.toLowerCase();
    const st = STYLE_NAMES[tok];
    const od = ORDER_NAMES[tok];
    if (st) {
      if (haveStyle && style !== st) throw conflicting(value);
      style = st;
      haveStyle = true;
      // German also means DMY unless an order is named.
      if (st === 'German' && !haveOrder) order = 'DMY';
    } else if (od) {
      if (haveOrder && order !== od) throw conflicting(value);
      order = od;
      haveOrder = true;
    } else if (tok === 'default') {
      if (!haveStyle) style = 'ISO';
      if (!haveOrder) order = 'MDY';
    } else throw invalid('DateStyle', value);
  }
  return `${style}, ${order}`;
}

function conflicting(value: string): SqlError {
  return new SqlError(
    SqlState.invalidParameterValue,
    `invalid value for parameter "DateStyle": "${value}"`,
    undefined,
    'Conflicting "datestyle" specifications.',
  );
}

function enumGuc(name: string, boot: string, values: string[], description: string): Guc {
  return {
    name,
    boot,
    description,
    check(v) {
      const l = v.trim().toLowerCase();
      if (!values.includes(l))
        throw new SqlError(
          SqlState.invalidParameterValue,
          `invalid value for parameter "${name}": "${v}"`,
          undefined,
          `Available values: ${values.join(', ')}.`,
        );
      return l;
    },
  };
}

/** Planner, durability and warning switches: accepted (answers do not depend on them). */
const PLANNER_BOOLS = [
  'enable_async_append',
  'enable_bitmapscan',
  'enable_gathermerge',
  'enable_group_by_reordering',
  'enable_hashagg',
  'enable_hashjoin',
  'enable_incremental_sort',
  'enable_indexonlyscan',
  'enable_indexscan',
  'enable_material',
  'enable_memoize',
  'enable_mergejoin',
  'enable_nestloop',
  'enable_parallel_append',
  'enable_parallel_hash',
  'enable_partition_pruning',
  'enable_partitionwise_aggregate',
  'enable_partitionwise_join',
  'enable_presorted_aggregate',
  'enable_seqscan',
  'enable_sort',
  'enable_tidscan',
  'escape_string_warning',
  'jit',
  'synchronous_commit',
  'allow_in_place_tablespaces',
];

const GUCS: Guc[] = [
  {
    name: 'TimeZone',
    boot: 'UTC',
    description: 'Sets the time zone for displaying and interpreting time stamps.',
    check: (v) => parseSessionZone(v).name,
  },
  {
    name: 'DateStyle',
    boot: 'ISO, MDY',
    description: 'Sets the display format for date and time values.',
    check: checkDateStyle,
  },
  enumGuc(
    'IntervalStyle',
    'postgres',
    ['postgres', 'postgres_verbose', 'sql_standard', 'iso_8601'],
    'Sets the display format for interval values.',
  ),
  {
    name: 'extra_float_digits',
    boot: '1',
    description: 'Sets the number of digits displayed for floating-point values.',
    check(v) {
      const n = parseIntSetting('extra_float_digits', v, -15, 3);
      // Above 0 PostgreSQL prints the shortest exact text, as the engine always does.
      if (n <= 0)
        throw notSupported('extra_float_digits', v, 'floats are always printed shortest-exact (1..3)');
      return String(n);
    },
  },
  {
    name: 'statement_timeout',
    boot: '0',
    description: 'Sets the maximum allowed duration of any statement.',
    check: (v) => {
      parseTimeoutMs(/^\s*\d+\s*$/.test(v) ? Number(v) : v);
      return v.trim();
    },
  },
  enumGuc('bytea_output', 'hex', ['hex', 'escape'], 'Sets the output format for bytea.'),
  {
    name: 'client_encoding',
    boot: 'UTF8',
    description: "Sets the client's character set encoding.",
    check(v) {
      if (/^(utf-?8|unicode)$/i.test(v.trim())) return 'UTF8';
      throw notSupported('client_encoding', v, 'the server speaks UTF8 only');
    },
  },
  { name: 'application_name', boot: '', description: 'Sets the application name.', check: (v) => v },
  {
    name: 'search_path',
    boot: '"$user", public',
    description: 'Sets the schema search order for names that are not schema-qualified.',
    check(v) {
      const parts = v.split(',').map((p) => p.trim().replace(/^"(.*)"$/, '$1'));
      if (!parts.includes('public'))
        throw notSupported('search_path', v, 'tables live in schema public, which the path must include');
      return v;
    },
  },
  {
    name: 'standard_conforming_strings',
    boot: 'on',
    description: "Causes '...' strings to treat backslashes literally.",
    check(v) {
      if (parseBool('standard_conforming_strings', v) !== 'on')
        throw notSupported('standard_conforming_strings', v, 'backslashes in strings are always literal');
      return 'on';
    },
  },
  ...PLANNER_BOOLS.map(
    (name): Guc => ({
      name,
      boot: name === 'jit' || name === 'allow_in_place_tablespaces' ? 'off' : 'on',
      description: 'A planner or durability setting: accepted; it does not change answers here.',
      check: (v) => parseBool(name, v),
    }),
  ),
];

const BY_NAME = new Map(GUCS.map((g) => [g.name.toLowerCase(), g]));

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
