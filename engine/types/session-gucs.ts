/**
 * @module engine/types/session-gucs
 * The settings `SessionSettings` knows (PostgreSQL's GUCs): each one's SHOW name,
 * boot value and check (PostgreSQL's check hooks: 22023 for a bad value, 0A000 for a
 * valid one the engine does not implement), and the PostgreSQL settings it refuses.
 */
import { SqlError, SqlState } from '../errors.ts';
import { parseTimeoutMs } from '../exec/budget.ts';
import type { DateOrder, DateStyle, SessionSettings } from './session-settings.ts';
import { parseSessionZone } from './session-zone.ts';

/** A setting: its SHOW name, boot value, and the check that turns a value into its SHOW text. */
export interface Guc {
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

export const GUCS: Guc[] = [
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
      description: 'A planner, durability or warning switch: accepted; it does not change answers here.',
      check: (v) => parseBool(name, v),
    }),
  ),
];

GUCS.push(
  enumGuc(
    'client_min_messages',
    'notice',
    ['debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'log', 'notice', 'warning', 'error'],
    'Sets the message levels that are sent to the client.',
  ),
);

export const BY_NAME = new Map(GUCS.map((g) => [g.name.toLowerCase(), g]));

/**
 * PostgreSQL settings the engine has no equivalent for: SET and SHOW answer 0A000 rather
 * than 42704 (they exist) or silently accepting a value that would not be honoured.
 */
export const NOT_IMPLEMENTED = new Set(
  (
    'work_mem maintenance_work_mem temp_buffers hash_mem_multiplier lock_timeout ' +
    'idle_in_transaction_session_timeout default_transaction_isolation transaction_isolation ' +
    'default_transaction_read_only transaction_read_only lc_messages lc_monetary lc_numeric lc_time ' +
    'random_page_cost seq_page_cost cpu_tuple_cost cpu_operator_cost cpu_index_tuple_cost ' +
    'effective_cache_size max_parallel_workers_per_gather parallel_setup_cost parallel_tuple_cost ' +
    'min_parallel_table_scan_size geqo from_collapse_limit join_collapse_limit row_security ' +
    'session_replication_role default_statistics_target plan_cache_mode timezone_abbreviations ' +
    'xmloption default_text_search_config check_function_bodies array_nulls backslash_quote ' +
    'transform_null_equals quote_all_identifiers constraint_exclusion cursor_tuple_fraction ' +
    'debug_parallel_query max_stack_depth default_table_access_method default_tablespace ' +
    'temp_tablespaces log_statement track_functions vacuum_cost_delay gin_fuzzy_search_limit ' +
    'jit_above_cost exit_on_error max_identifier_length server_version server_version_num ' +
    'server_encoding lc_collate lc_ctype integer_datetimes block_size is_superuser ' +
    'default_toast_compression'
  ).split(' '),
);

export function notImplemented(name: string): SqlError {
  return new SqlError(SqlState.featureNotSupported, `configuration parameter "${name}" is not supported`);
}
