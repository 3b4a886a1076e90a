/**
 * @module engine/sql/set-statements
 * SET / RESET / SHOW over a session's settings (`SessionSettings`), with
 * PostgreSQL's flattening of SET's arguments into one text value
 * (flatten_set_variable_args): a list joins with ', ', numbers keep their
 * text, `SET TIME ZONE INTERVAL '…'` becomes `interval '…'`.
 */
import { SqlError, SqlState } from '../errors.ts';
import { SessionSettings } from '../types/session-settings.ts';
import type { PgNode } from './parser.ts';

/** What a SET or SHOW answers: its command tag and, for SHOW, its one text column and rows. */
export interface SettingResult {
  command: 'SET' | 'RESET' | 'SHOW';
  columns: { name: string; type: 'text' }[];
  rows: string[][];
}

/** Names SET refuses with PostgreSQL's wording: they change who the caller is or transaction modes. */
const NOT_SETTINGS: Record<string, string> = {
  session_authorization: 'SET SESSION AUTHORIZATION',
  role: 'SET ROLE',
  transaction: 'SET TRANSACTION',
  session_characteristics: 'SET SESSION CHARACTERISTICS',
  transaction_snapshot: 'SET TRANSACTION SNAPSHOT',
};

/** One SET argument as text. */
function argText(a: PgNode, name: string): string {
  const c = a.A_Const;
  if (c) {
    if (c.sval) return c.sval.sval ?? '';
    if (c.ival) return String(c.ival.ival ?? 0);
    if (c.fval) return String(c.fval.fval);
    if (c.boolval) return c.boolval.boolval ? 'true' : 'false';
  }
  const cast = a.TypeCast;
  if (cast?.arg?.A_Const?.sval && name === 'timezone') {
    const type = (cast.typeName.names as PgNode[]).map((n) => n.String.sval).pop();
    if (type === 'interval') return `interval '${cast.arg.A_Const.sval.sval}'`;
  }
  throw new SqlError(SqlState.syntaxError, `SET ${name} takes only constant values`);
}

/** The value SET gives (null: DEFAULT). */
export function setValue(v: PgNode): string | null {
  if (v.kind === 'VAR_SET_DEFAULT') return null;
  const args = (v.args ?? []) as PgNode[];
  return args.map((a) => argText(a, v.name)).join(', ');
}

/**
 * Runs a VariableSetStmt or VariableShowStmt against `settings`; undefined for other statements.
 * SET LOCAL outside a transaction block lasts until the statement ends, as in PostgreSQL
 * (which warns); every statement here is its own transaction.
 */
export function runSettingStatement(stmt: PgNode, settings: SessionSettings): SettingResult | undefined {
  const set = stmt.VariableSetStmt;
  if (set) {
    const name = String(set.name ?? '').toLowerCase();
    switch (set.kind) {
      case 'VAR_RESET_ALL':
        settings.resetAll();
        return { command: 'RESET', columns: [], rows: [] };
      case 'VAR_RESET':
        settings.reset(name);
        return { command: 'RESET', columns: [], rows: [] };
      case 'VAR_SET_VALUE':
      case 'VAR_SET_DEFAULT': {
        const refused = NOT_SETTINGS[name];
        if (refused) throw new SqlError(SqlState.featureNotSupported, `${refused} is not supported`);
        settings.set(name, setValue(set), set.is_local === true);
        return { command: 'SET', columns: [], rows: [] };
      }
      case 'VAR_SET_MULTI':
        throw new SqlError(SqlState.featureNotSupported, `${NOT_SETTINGS[name] ?? 'SET'} is not supported`);
      default:
        throw new SqlError(SqlState.featureNotSupported, 'SET … FROM CURRENT is not supported');
    }
  }
  const show = stmt.VariableShowStmt;
  if (show) {
    const name = String(show.name);
    if (name === 'all')
      return {
        command: 'SHOW',
        columns: [
          { name: 'name', type: 'text' },
          { name: 'setting', type: 'text' },
          { name: 'description', type: 'text' },
        ],
        rows: settings.showAll(),
      };
    const value = settings.show(name);
    return {
      command: 'SHOW',
      columns: [{ name: SessionSettings.showName(name), type: 'text' }],
      rows: [[value]],
    };
  }
  return undefined;
}
