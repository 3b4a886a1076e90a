/**
 * @module engine/sql/sql-names
 * SQL words for parser node kinds, so errors name the SQL construct the user
 * wrote (`CREATE VIEW is not supported`, `LIKE`) and never a libpg-query node
 * (`ViewStmt`, `AEXPR_LIKE`). Types are named by the engine's `pgTypeName`.
 */
import { pgTypeName, type SqlType } from '../types/values.ts';

/**
 * A type as SQL that reads back as the same engine type (casts rendered for shards):
 * PostgreSQL's name, except `bpchar` for blank-padded text, since a bare `character` is char(1).
 */
export function sqlTypeName(t: SqlType): string {
  return t === 'bpchar' ? 'bpchar' : pgTypeName(t);
}

const COMMANDS: Record<string, string> = {
  ViewStmt: 'CREATE VIEW',
  CreateTableAsStmt: 'CREATE TABLE AS / CREATE MATERIALIZED VIEW',
  RefreshMatViewStmt: 'REFRESH MATERIALIZED VIEW',
  CreateSeqStmt: 'CREATE SEQUENCE',
  AlterSeqStmt: 'ALTER SEQUENCE',
  CreateSchemaStmt: 'CREATE SCHEMA',
  CreateFunctionStmt: 'CREATE FUNCTION',
  CreateTrigStmt: 'CREATE TRIGGER',
  CreateExtensionStmt: 'CREATE EXTENSION',
  CreateEnumStmt: 'CREATE TYPE',
  CompositeTypeStmt: 'CREATE TYPE',
  CreateDomainStmt: 'CREATE DOMAIN',
  CreateRoleStmt: 'CREATE ROLE',
  DropRoleStmt: 'DROP ROLE',
  GrantStmt: 'GRANT / REVOKE',
  GrantRoleStmt: 'GRANT / REVOKE',
  RenameStmt: 'ALTER … RENAME',
  TruncateStmt: 'TRUNCATE',
  CopyStmt: 'COPY',
  VacuumStmt: 'VACUUM / ANALYZE',
  ExplainStmt: 'EXPLAIN',
  PrepareStmt: 'PREPARE',
  ExecuteStmt: 'EXECUTE',
  DeallocateStmt: 'DEALLOCATE',
  DeclareCursorStmt: 'DECLARE CURSOR',
  FetchStmt: 'FETCH',
  ClosePortalStmt: 'CLOSE',
  DoStmt: 'DO',
  CallStmt: 'CALL',
  ListenStmt: 'LISTEN',
  NotifyStmt: 'NOTIFY',
  UnlistenStmt: 'UNLISTEN',
  LockStmt: 'LOCK',
  CommentStmt: 'COMMENT',
  VariableShowStmt: 'SHOW',
  DiscardStmt: 'DISCARD',
  CheckPointStmt: 'CHECKPOINT',
  MergeStmt: 'MERGE',
  RuleStmt: 'CREATE RULE',
  CreatePolicyStmt: 'CREATE POLICY',
  AlterPolicyStmt: 'ALTER POLICY',
  CreatedbStmt: 'CREATE DATABASE',
  DropdbStmt: 'DROP DATABASE',
  IndexStmt: 'CREATE INDEX',
  CreateStmt: 'CREATE TABLE',
  AlterTableStmt: 'ALTER TABLE',
  DropStmt: 'DROP',
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  SelectStmt: 'SELECT',
  TransactionStmt: 'transaction control',
  VariableSetStmt: 'SET',
};

/** The SQL command a statement node is (`ViewStmt` → `CREATE VIEW`); unknown kinds read as "this statement". */
export function commandName(nodeKind: string): string {
  return COMMANDS[nodeKind] ?? 'this statement';
}

const EXPRESSIONS: Record<string, string> = {
  CaseExpr: 'CASE',
  CoalesceExpr: 'COALESCE',
  MinMaxExpr: 'GREATEST / LEAST',
  SubLink: 'subqueries',
  BooleanTest: 'IS TRUE / IS FALSE',
  A_ArrayExpr: 'ARRAY constructors',
  A_Indirection: 'subscripts and field selection',
  RowExpr: 'ROW constructors',
  SQLValueFunction: 'CURRENT_DATE / CURRENT_TIMESTAMP / CURRENT_USER',
  CollateClause: 'COLLATE',
  TypeCast: 'casts',
  GroupingFunc: 'GROUPING',
  AEXPR_LIKE: 'LIKE',
  AEXPR_ILIKE: 'ILIKE',
  AEXPR_SIMILAR: 'SIMILAR TO',
  AEXPR_DISTINCT: 'IS DISTINCT FROM',
  AEXPR_NOT_DISTINCT: 'IS NOT DISTINCT FROM',
  AEXPR_NULLIF: 'NULLIF',
  AEXPR_OP_ANY: 'ANY',
  AEXPR_OP_ALL: 'ALL',
  AEXPR_IN: 'IN',
  AEXPR_BETWEEN: 'BETWEEN',
  AEXPR_NOT_BETWEEN: 'NOT BETWEEN',
  AEXPR_BETWEEN_SYM: 'BETWEEN SYMMETRIC',
  AEXPR_NOT_BETWEEN_SYM: 'NOT BETWEEN SYMMETRIC',
  EXISTS_SUBLINK: 'EXISTS',
  ALL_SUBLINK: 'ALL (subquery)',
  ANY_SUBLINK: 'ANY / IN (subquery)',
  ROWCOMPARE_SUBLINK: 'row comparison with a subquery',
  EXPR_SUBLINK: 'scalar subqueries',
  MULTIEXPR_SUBLINK: 'multiple-column assignment from a subquery',
  ARRAY_SUBLINK: 'ARRAY (subquery)',
  CTE_SUBLINK: 'subqueries in WITH',
  RangeFunction: 'functions in FROM',
  RangeSubselect: 'subqueries in FROM',
  RangeTableSample: 'TABLESAMPLE',
  RangeTableFunc: 'XMLTABLE',
  JsonTable: 'JSON_TABLE',
  GROUPING_SET_CUBE: 'CUBE',
  GROUPING_SET_ROLLUP: 'ROLLUP',
  GROUPING_SET_SETS: 'GROUPING SETS',
  XmlExpr: 'XML functions',
  XmlSerialize: 'XMLSERIALIZE',
  JsonObjectConstructor: 'JSON_OBJECT',
  JsonArrayConstructor: 'JSON_ARRAY',
  ParamRef: 'parameters',
  CurrentOfExpr: 'WHERE CURRENT OF',
  SetToDefault: 'DEFAULT',
};

/** The SQL construct an expression node or operator kind is (`AEXPR_LIKE` → `LIKE`). */
export function constructName(kind: string): string {
  return EXPRESSIONS[kind] ?? 'this expression';
}

const ALTER_ACTIONS: Record<string, string> = {
  AT_AlterColumnType: 'ALTER COLUMN … TYPE',
  AT_ColumnDefault: 'ALTER COLUMN … SET / DROP DEFAULT',
  AT_SetNotNull: 'ALTER COLUMN … SET NOT NULL',
  AT_DropNotNull: 'ALTER COLUMN … DROP NOT NULL',
  AT_DropConstraint: 'DROP CONSTRAINT',
  AT_ChangeOwner: 'OWNER TO',
  AT_AddIdentity: 'ADD GENERATED … AS IDENTITY',
  AT_SetStatistics: 'SET STATISTICS',
  AT_SetStorage: 'SET STORAGE',
  AT_ResetRelOptions: 'RESET (…)',
  AT_EnableRowSecurity: 'ENABLE ROW LEVEL SECURITY',
  AT_AttachPartition: 'ATTACH PARTITION',
  AT_DetachPartition: 'DETACH PARTITION',
  AT_SetLogged: 'SET LOGGED',
  AT_SetUnLogged: 'SET UNLOGGED',
};

/** An ALTER TABLE action (`AT_AlterColumnType` → `ALTER TABLE … ALTER COLUMN … TYPE`). */
export function alterActionName(subtype: string): string {
  return `ALTER TABLE … ${ALTER_ACTIONS[subtype] ?? 'with this action'}`;
}

const CONSTRAINTS: Record<string, string> = {
  CONSTR_CHECK: 'CHECK constraints',
  CONSTR_FOREIGN: 'FOREIGN KEY (REFERENCES) constraints',
  CONSTR_EXCLUSION: 'EXCLUDE constraints',
  CONSTR_UNIQUE: 'UNIQUE constraints',
  CONSTR_GENERATED: 'generated columns',
  CONSTR_IDENTITY: 'identity columns',
  CONSTR_ATTR_DEFERRABLE: 'DEFERRABLE constraints',
  CONSTR_ATTR_NOT_DEFERRABLE: 'NOT DEFERRABLE',
  CONSTR_ATTR_DEFERRED: 'INITIALLY DEFERRED',
  CONSTR_ATTR_IMMEDIATE: 'INITIALLY IMMEDIATE',
};

/** A column constraint kind (`CONSTR_CHECK` → `CHECK constraints`). */
export function constraintName(contype: string): string {
  return CONSTRAINTS[contype] ?? 'this column constraint';
}
