/**
 * @module engine/functions/value-limits
 * How large one value may grow. Functions that build a value from a count the
 * user chooses (repeat) or from unbounded input (string_agg, array_agg) check
 * it here, so `repeat('x', 1e9)` fails with PostgreSQL's SQLSTATE instead of
 * exhausting a 128 MB isolate: 54000 "requested length too large" past
 * PostgreSQL's own 1 GB value limit, 53200 "out of memory" past the statement's
 * memory budget (PostgreSQL's answer when the allocation fails).
 */
import { SqlError, SqlState } from '../errors.ts';
import { DEFAULT_MEMORY_LIMIT, outOfMemory } from '../exec/memory.ts';

/** The per-statement limit; the engine sets it to the statement's memory budget while it runs. */
export const valueLimits = { maxBytes: DEFAULT_MEMORY_LIMIT };

/** PostgreSQL's MaxAllocSize (1 GB − 1): no single value is larger. */
const MAX_ALLOC_SIZE = 0x3fffffff;

/** Throws unless a text value of `chars` UTF-16 units fits (V8 keeps ~2 bytes per unit). */
export function checkTextLength(chars: number, what: string): void {
  if (chars > MAX_ALLOC_SIZE) throw new SqlError(SqlState.programLimitExceeded, 'requested length too large');
  if (chars * 2 > valueLimits.maxBytes) throw outOfMemory(what, valueLimits.maxBytes);
}

/** Throws unless an array of `n` elements fits (about 16 bytes a slot). */
export function checkArrayLength(n: number, what: string): void {
  if (n * 16 > valueLimits.maxBytes) throw outOfMemory(what, valueLimits.maxBytes);
}
