/**
 * @module bench/pg-regress/compare
 * Compares one statement's answer from Orochi with PostgreSQL's (PGlite, every
 * value in PostgreSQL's text output). Values are brought to one canonical text
 * per PostgreSQL column type: exact digits for integers and numeric (so a
 * bigint or numeric that lost precision is a difference), 12 significant digits
 * for float4/float8 (aggregation order may move the last bits; float4 rounded to
 * float4 first), timestamps
 * from ISO 8601 or PostgreSQL text to one spelling, JSON re-serialized with
 * sorted keys. Rows compare in order when the statement has a top-level ORDER
 * BY, as multisets otherwise. When the ORDER BY keys are known output columns,
 * rows with equal keys (peers, whose order SQL leaves open) compare as multisets:
 * the key sequence must match exactly and each run of peers hold the same rows.
 */

/** What a statement answered: rows, or an error with its SQLSTATE. */
export type Answer =
  | { readonly ok: true; readonly rows: readonly (readonly unknown[])[]; readonly columns: number }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly status?: number };

/** How Orochi's answer relates to PostgreSQL's. */
export type Verdict =
  | 'agree' // same rows (or same SQLSTATE)
  | 'unsupported' // Orochi refused with 0A000
  | 'different' // both answered, differently
  | 'error-mismatch' // one side failed, or both with different SQLSTATEs
  | 'server-error'; // Orochi answered 5xx or its connection failed

const FLOAT_OIDS = new Set([700, 701]);
const EXACT_NUM_OIDS = new Set([20, 21, 23, 26, 1700]);
const TS_OIDS = new Set([1114, 1184]);
const JSON_OIDS = new Set([114, 3802]);

function stripFraction(s: string): string {
  if (!s.includes('.') || /e/i.test(s)) return s;
  return s.replace(/0+$/, '').replace(/\.$/, '');
}

/**
 * A float's canonical text. float4 (`single`) values go through Math.fround first:
 * PostgreSQL prints a real's shortest float4 digits (`1004.3`) while a JS number
 * holding the same real carries its exact binary value (`1004.2999877929688`).
 */
function canonFloat(v: unknown, single = false): string {
  const raw = typeof v === 'number' ? v : Number(v);
  const n = single ? Math.fround(raw) : raw;
  if (Number.isNaN(n)) return typeof v === 'string' && !/^nan$/i.test(v) ? String(v) : 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return '0';
  return String(Number(n.toPrecision(12)));
}

function canonExact(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
    // A JS number: print it fully (no exponent), so lost digits show.
    return Number.isInteger(v) ? BigInt(v).toString() : stripFraction(v.toFixed(20).replace(/0+$/, ''));
  }
  const s = String(v).trim();
  if (/^-?\d+$/.test(s)) return BigInt(s).toString();
  if (/^-?\d*\.\d*$/.test(s)) {
    const t = stripFraction(s.startsWith('.') ? `0${s}` : s.startsWith('-.') ? `-0${s.slice(1)}` : s);
    return t === '-0' ? '0' : t;
  }
  return s;
}

function canonTimestamp(v: unknown): string {
  let s = String(v);
  const m = /^(\d{4,}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d(?::?\d\d)?)?( BC)?$/.exec(s);
  if (!m) return s;
  const frac = m[3] ? m[3].replace(/0+$/, '').replace(/^\.$/, '') : '';
  let zone = m[4] ?? '';
  if (zone === 'Z') zone = '+00';
  zone = zone.replace(/:00$/, '');
  s = `${m[1]} ${m[2]}${frac}${zone}${m[5] ?? ''}`;
  return s;
}

function sortedJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedJson);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortedJson((v as Record<string, unknown>)[k])]),
    );
  return v;
}

function canonJson(v: unknown): string {
  try {
    return JSON.stringify(sortedJson(typeof v === 'string' ? JSON.parse(v) : v));
  } catch {
    return String(v);
  }
}

/** Canonical text of one value of a column whose PostgreSQL type is `oid`. */
export function canonValue(v: unknown, oid: number): string {
  if (v === null || v === undefined) return '∅';
  if (Array.isArray(v)) return `{${v.map((x) => canonValue(x, elementOid(oid))).join(',')}}`;
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (FLOAT_OIDS.has(oid)) return canonFloat(v, oid === 700);
  if (EXACT_NUM_OIDS.has(oid)) return canonExact(v);
  if (TS_OIDS.has(oid)) return canonTimestamp(v);
  if (JSON_OIDS.has(oid)) return canonJson(v);
  if (typeof v === 'number' || typeof v === 'bigint') return canonExact(v);
  if (typeof v === 'object') return canonJson(v);
  return String(v);
}

/** Element type of an array type OID (the common ones); the OID itself otherwise. */
function elementOid(oid: number): number {
  const map: Record<number, number> = {
    1000: 16,
    1005: 21,
    1007: 23,
    1016: 20,
    1021: 700,
    1022: 701,
    1231: 1700,
    1115: 1114,
    1185: 1184,
  };
  return map[oid] ?? oid;
}

/** Canonical rows of an answer, typed by PostgreSQL's column OIDs. */
export function canonRows(rows: readonly (readonly unknown[])[], oids: readonly number[]): string[] {
  return rows.map((r) => r.map((v, i) => canonValue(v, oids[i] ?? 25)).join(' | '));
}

/** Judges Orochi's answer against PostgreSQL's. */
export function judge(
  pg: Answer,
  ours: Answer,
  oids: readonly number[],
  ordered: boolean,
  orderKeys?: readonly number[],
): { verdict: Verdict; detail?: string } {
  if (!ours.ok && (ours.status === undefined || ours.status >= 500))
    return { verdict: 'server-error', detail: `${ours.status ?? 'no answer'} ${ours.message}` };
  if (!ours.ok && ours.code === '0A000' && (pg.ok || pg.code !== '0A000'))
    return { verdict: 'unsupported', detail: ours.message };
  if (!pg.ok || !ours.ok) {
    if (!pg.ok && !ours.ok && pg.code === ours.code) return { verdict: 'agree' };
    const side = (a: Answer) => (a.ok ? `${a.rows.length} rows` : `${a.code} ${a.message}`);
    return { verdict: 'error-mismatch', detail: `pg: ${side(pg)} / orochi: ${side(ours)}` };
  }
  if (pg.columns !== ours.columns)
    return { verdict: 'different', detail: `columns pg ${pg.columns} / orochi ${ours.columns}` };
  const a = canonRows(pg.rows, oids);
  const b = canonRows(ours.rows, oids);
  if (!ordered) {
    a.sort();
    b.sort();
  } else if (
    orderKeys?.length &&
    a.length === b.length &&
    // Float keys compare to 12 digits here: two such "peers" might not be peers at all.
    orderKeys.every((k) => !FLOAT_OIDS.has(oids[k] ?? 25))
  ) {
    const key = (rs: readonly (readonly unknown[])[], i: number) =>
      orderKeys.map((k) => canonValue(rs[i][k], oids[k] ?? 25)).join(' | ');
    sortPeers(a, (i) => key(pg.rows, i));
    sortPeers(b, (i) => key(ours.rows, i));
    // The peers' order may differ, the order of the keys may not.
    for (let i = 0; i < a.length; i++)
      if (key(pg.rows, i) !== key(ours.rows, i))
        return {
          verdict: 'different',
          detail: `row ${i}: sort key pg ${key(pg.rows, i)} / orochi ${key(ours.rows, i)} (${a.length} rows)`,
        };
  }
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i])
      return {
        verdict: 'different',
        detail: `row ${i}: pg ${a[i] ?? '(none)'} / orochi ${b[i] ?? '(none)'} (${a.length} vs ${b.length} rows)`,
      };
  }
  return { verdict: 'agree' };
}

/** Sorts each run of rows with equal sort keys (peers) in place; the runs stay where they are. */
function sortPeers(rows: string[], key: (i: number) => string): void {
  let start = 0;
  for (let i = 1; i <= rows.length; i++) {
    if (i < rows.length && key(i) === key(start)) continue;
    const run = rows.slice(start, i).sort();
    rows.splice(start, run.length, ...run);
    start = i;
  }
}
