/**
 * @module durable-objects/rpc-errors
 * Workers RPC rethrows a Durable Object's error in the caller with its message
 * only: the SQLSTATE of a SqlError would be lost and the API would answer 500.
 * DO methods therefore throw SqlErrors through `rpcSafe`, which folds the code
 * into the message, and the Worker restores them with `fromRpcError`.
 */
import { isSqlError, SqlError } from '../engine/errors.ts';

const PREFIX = 'SQLSTATE ';

/** Runs a DO method body, re-encoding SqlErrors so they survive the RPC boundary. */
export async function rpcSafe<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isSqlError(e))
      throw new Error(`${PREFIX}${e.code}${e.position === undefined ? '' : `@${e.position}`}: ${e.message}`);
    throw e;
  }
}

/** The SqlError an RPC error stands for, or the error unchanged. */
export function fromRpcError(e: unknown): unknown {
  if (!(e instanceof Error) || isSqlError(e)) return e;
  const m = /^(?:Error: )?SQLSTATE (\w{5})(?:@(\d+))?: ([\s\S]*)$/.exec(e.message);
  return m ? new SqlError(m[1], m[3], m[2] === undefined ? undefined : Number(m[2])) : e;
}
