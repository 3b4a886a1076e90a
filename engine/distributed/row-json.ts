/**
 * @module engine/distributed/row-json
 * JSON for data-plane rows and logged operations that keeps what plain JSON
 * drops: NaN and ±Infinity (JSON.stringify writes null — a NOT NULL double
 * would read back NULL), -0 (written as 0; PostgreSQL prints float8 -0 as
 * `-0`) and bigint (int8 beyond ±2^53). Such values are tagged objects,
 * `{"$f":"NaN"}`, `{"$f":"-0"}` and `{"$i":"9223372036854775807"}`; text
 * without a tag parses with plain JSON.parse, so rows written before the tags
 * existed (and the common case) cost nothing extra.
 */

type Tagged = { $f: string } | { $i: string };

/** A double JSON cannot write: NaN, ±Infinity, -0 (`String(-0)` is "0"). */
const unwritable = (v: number) => !Number.isFinite(v) || Object.is(v, -0);

function tag(v: unknown): Tagged | undefined {
  if (typeof v === 'number' && unwritable(v)) return { $f: Object.is(v, -0) ? '-0' : String(v) };
  if (typeof v === 'bigint') return { $i: String(v) };
  return undefined;
}

/** True when `v` holds a value plain JSON would lose. */
function needsTags(v: unknown): boolean {
  if (typeof v === 'number') return unwritable(v);
  if (typeof v === 'bigint') return true;
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) {
    for (const x of v) if (needsTags(x)) return true;
    return false;
  }
  if (ArrayBuffer.isView(v)) return false;
  for (const k in v) if (needsTags((v as Record<string, unknown>)[k])) return true;
  return false;
}

/** JSON text of a row or logged operation, non-finite doubles and bigints tagged. */
export function planeJson(v: unknown): string {
  if (!needsTags(v)) return JSON.stringify(v);
  return JSON.stringify(v, (_k, x) => tag(x) ?? x);
}

function untag(_k: string, v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const o = v as Record<string, unknown>;
  if (typeof o.$f === 'string' && Object.keys(o).length === 1) return Number(o.$f);
  if (typeof o.$i === 'string' && Object.keys(o).length === 1) return BigInt(o.$i);
  return v;
}

/** Parses `planeJson` text (and plain JSON). */
export function parsePlaneJson<T = unknown>(text: string): T {
  // A tag's key can only appear unescaped as an object key: string values escape their quotes.
  if (!text.includes('"$f"') && !text.includes('"$i"')) return JSON.parse(text) as T;
  return JSON.parse(text, untag) as T;
}
