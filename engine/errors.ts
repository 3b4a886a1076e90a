/**
 * @module engine/errors
 * Typed errors carrying a PostgreSQL SQLSTATE. The HTTP layer maps them to
 * status codes in exactly one place (`app.onError`).
 */

/** A few SQLSTATE codes used across the engine (PostgreSQL Appendix A). */
export const SqlState = {
  syntaxError: '42601',
  undefinedTable: '42P01',
  undefinedColumn: '42703',
  undefinedFunction: '42883',
  duplicateTable: '42P07',
  duplicateColumn: '42701',
  ambiguousColumn: '42702',
  ambiguousFunction: '42725',
  datatypeMismatch: '42804',
  groupingError: '42803',
  windowingError: '42P20',
  undefinedObject: '42704',
  wrongObjectType: '42809',
  invalidTableDefinition: '42P16',
  invalidObjectDefinition: '42P17',
  dependentObjectsStillExist: '2BP01',
  invalidColumnReference: '42P10',
  duplicateAlias: '42712',
  invalidTextRepresentation: '22P02',
  numericValueOutOfRange: '22003',
  divisionByZero: '22012',
  stringDataRightTruncation: '22001',
  invalidDatetimeFormat: '22007',
  datetimeFieldOverflow: '22008',
  notNullViolation: '23502',
  uniqueViolation: '23505',
  checkViolation: '23514',
  featureNotSupported: '0A000',
  activeSqlTransaction: '25001',
  inFailedSqlTransaction: '25P02',
  cardinalityViolation: '21000',
  invalidParameterValue: '22023',
  programLimitExceeded: '54000',
  stackDepthExceeded: '54001',
  characterNotInRepertoire: '22021',
  queryCanceled: '57014',
  outOfMemory: '53200',
  insufficientPrivilege: '42501',
  internalError: 'XX000',
} as const;

export type SqlStateCode = (typeof SqlState)[keyof typeof SqlState] | (string & {});

/** An error with a SQLSTATE and, for parse/bind errors, a 1-based character position in the SQL text. */
export class SqlError extends Error {
  override readonly name = 'SqlError';
  constructor(
    readonly code: SqlStateCode,
    message: string,
    readonly position?: number,
    /** PostgreSQL's HINT: what the user can do about it. */
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** True when `e` is a SqlError (works across module instances by checking shape). */
export function isSqlError(e: unknown): e is SqlError {
  return (
    e instanceof Error &&
    (e as { name?: string }).name === 'SqlError' &&
    typeof (e as SqlError).code === 'string'
  );
}
