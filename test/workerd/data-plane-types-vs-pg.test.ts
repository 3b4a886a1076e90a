/**
 * Column types over HTTP against PostgreSQL (the control plane's PGlite): for each type, a
 * distributed table and a hypertable get boundary and out-of-range values through SQL
 * INSERT and through the JSON ingest endpoint; what each accepted (or the SQLSTATE and
 * message it refused with), the values read back (as PostgreSQL's text and as the API's
 * JSON, from hot rows and again after compaction into columnar chunks) and the result
 * column types are compared with PostgreSQL doing the same. The
 * differences that remain are listed in `KNOWN` with their reason: the test fails when one
 * disappears or a new one appears.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { withControlPlane } from '../../workers/db/client.ts';
import { ingest, ok, sql } from './data-plane-client.ts';

interface TypeCase {
  readonly type: string;
  /** SQL literals INSERTed one statement each. */
  readonly sql: readonly string[];
  /** Values ingested as JSON, one record each. */
  readonly json: readonly unknown[];
}

const TYPES: readonly TypeCase[] = [
  {
    type: 'smallint',
    sql: ['-32768', '32767', '32768', '-32769', '100000', "'12'", "'1.5'", "' 7 '"],
    json: [-32768, 32767, 32768, 100000, '-5', 1.5, 'x'],
  },
  {
    type: 'integer',
    sql: ['-2147483648', '2147483647', '2147483648', "'-2147483649'", '2.5'],
    json: [-2147483648, 2147483647, 2147483648, '17', 2.5],
  },
  {
    type: 'bigint',
    sql: ['9223372036854775807', '-9223372036854775808', '9223372036854775808', "'12345678901234567'"],
    json: ['9223372036854775807', '-9223372036854775809', 9007199254740991, '12345678901234567'],
  },
  {
    type: 'real',
    sql: [
      "'1.2345678901234e+20'",
      "'1.2345678901234e-20'",
      "'1004.3'",
      '0.1',
      "'NaN'",
      "'-Infinity'",
      "'1e39'",
    ],
    json: [1.2345678901234e20, 1004.3, 0.1, 'NaN', '3.4e39', '-34.84'],
  },
  {
    type: 'double precision',
    sql: ["'1.7976931348623157e308'", "'1e309'", '0.1', "'NaN'", "'Infinity'", "'-0'"],
    json: [1.7976931348623157e308, 0.1, '1e-400', 'Infinity', 5e-324],
  },
  {
    type: 'numeric(6,2)',
    sql: ['1234.567', '9999.994', '9999.995', "'-0.005'", "'NaN'", "'Infinity'", '12345'],
    json: [1234.567, '9999.995', '0.125', 'NaN', -42],
  },
  {
    type: 'varchar(4)',
    sql: ["'abcd'", "'abcde'", "'ab  '", "'abcd   '", "'abc  x'", "''"],
    json: ['abcd', 'abcde', 'abcd  ', 'éèêë', 12],
  },
  {
    type: 'char(4)',
    sql: ["'ab'", "'abcd'", "'abcde'", "'abcd  '", "''", "'é'", '12'],
    json: ['ab', 'abcde', 'abcd  ', '', 7],
  },
  { type: 'text', sql: ["'x'", "''", "'é ✓'"], json: ['x', '', 12] },
  {
    type: 'name',
    sql: ["'b'", "repeat('x', 70)", "repeat('é', 40)", "repeat('ab', 31) || '€'"],
    json: ['b', 'x'.repeat(70), 'é'.repeat(40), 12],
  },
  {
    type: 'timestamp',
    sql: [
      "'2024-02-29 12:34:56.789'",
      "'2024-01-01 00:00:00+05'",
      "'infinity'",
      "'294277-01-01'",
      "'2024-13-01'",
    ],
    json: ['2024-02-29T12:34:56.123456', '2024-01-01 00:00:00+05', '-infinity', 'nope'],
  },
  {
    type: 'timestamptz',
    sql: ["'2024-02-29 12:34:56.789+02'", "'2024-01-01'", "'-infinity'", "'2024-02-30'"],
    json: ['2024-02-29T12:34:56.123456Z', '2024-01-01 00:00:00+05', 'nope'],
  },
  {
    type: 'time(2)',
    sql: [
      "'12:34:56.789'",
      "'24:00'",
      "'11:59:59.999 PM'",
      "'2003-03-07 15:36:39 America/New_York'",
      "'25:00'",
      "'15:36:39 America/New_York'",
      "timestamp '2024-01-01 10:11:12'",
    ],
    json: ['00:00', '23:59:59.995', '4:05 am', 'x', '24:00:01'],
  },
  {
    type: 'date',
    sql: ["'2024-02-29'", "'2023-02-29'", "'infinity'", "'4713-01-01 BC'", "'5874898-01-01'"],
    json: ['2024-02-29', '1999-12-31', 'x', '2024-02-30'],
  },
  {
    type: 'boolean',
    sql: ['true', "'f'", "'yes'", "'maybe'", '1'],
    json: [true, false, 't', 'off', 'maybe'],
  },
];

const KINDS = ['dist', 'hyper'] as const;
type Kind = (typeof KINDS)[number];

const tableName = (i: number, kind: Kind) => `ty_${kind}_${i}`;
const ddl = (i: number, kind: Kind, schema = '') =>
  `CREATE TABLE ${schema}${tableName(i, kind)} (${kind === 'hyper' ? 'time timestamptz NOT NULL, id int NOT NULL' : 'id int PRIMARY KEY'}, v ${TYPES[i].type})`;
const BASE = Date.UTC(2024, 0, 1);
const timeOf = (id: number) => new Date(BASE + id * 3_600_000).toISOString();

/** What one write did: ok, or the SQLSTATE and message it was refused with. */
type Outcome = { ok: true } | { ok: false; code: string; message: string };

/** One compared observation; `pg` and `ours` are JSON-comparable. */
interface Check {
  readonly what: string;
  readonly pg: unknown;
  readonly ours: unknown;
}

const SCHEMA = 'ty_ref.';

/** PostgreSQL's short type label as the API reports it (`timestamptz`, `boolean`, …). */
const API_TYPE: Record<string, string> = {
  'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamptz',
  'time without time zone': 'time',
  character: 'bpchar',
};

/** The API's JSON for a value PostgreSQL prints as `text` in a column of `type` (see docs/http-api.md). */
function apiJson(text: string | null, type: string): unknown {
  if (text === null) return null;
  switch (type) {
    case 'smallint':
    case 'integer':
      return Number(text);
    case 'bigint':
      return Number.isSafeInteger(Number(text)) ? Number(text) : text;
    case 'real':
    case 'double precision':
      return ['NaN', 'Infinity', '-Infinity'].includes(text) ? text : Number(text);
    case 'boolean':
      return text === 'true';
    case 'timestamp with time zone': {
      // PostgreSQL prints UTC (the session zone) as `2024-01-01 00:00:00.123456+00`; the API sends ISO 8601.
      if (/infinity/.test(text)) return text;
      const iso = new Date(text.replace(' ', 'T').replace(/\+00$/, 'Z')).toISOString();
      const frac = /\.(\d+)/.exec(text)?.[1] ?? '';
      return frac.length > 3 ? `${iso.slice(0, -1)}${frac.padEnd(6, '0').slice(3)}Z` : iso;
    }
    default:
      return text; // numeric (exact text), text, timestamp, date
  }
}

const checks: Check[] = [];

async function ourWrite(q: string): Promise<Outcome> {
  const r = await sql(q);
  return r.status === 200 ? { ok: true } : { ok: false, code: r.error!.code, message: r.error!.message };
}

describe('column types over HTTP agree with PostgreSQL', () => {
  beforeAll(async () => {
    await withControlPlane(env, async (_db, pool) => {
      const c = await pool.connect();
      const pgWrite = async (q: string, params: unknown[] = []): Promise<Outcome> => {
        try {
          await c.query(q, params);
          return { ok: true };
        } catch (e) {
          const err = e as { code: string; message: string };
          return { ok: false, code: err.code, message: err.message };
        }
      };
      try {
        await c.query('DROP SCHEMA IF EXISTS ty_ref CASCADE; CREATE SCHEMA ty_ref');
        for (let i = 0; i < TYPES.length; i++) {
          const t = TYPES[i];
          for (const kind of KINDS) {
            const name = tableName(i, kind);
            const pgCreate = await pgWrite(ddl(i, kind, SCHEMA));
            const create = await ourWrite(ddl(i, kind));
            checks.push({ what: `${t.type} ${kind}: CREATE TABLE`, pg: pgCreate, ours: create });
            if (!create.ok) continue;
            await ok(
              kind === 'dist'
                ? `SELECT create_distributed_table('${name}', 'id', shard_count => 2)`
                : `SELECT create_hypertable('${name}', 'time', chunk_time_interval => interval '1 day')`,
            );
            const cols = kind === 'hyper' ? '(time, id, v)' : '(id, v)';
            const head = (id: number) => (kind === 'hyper' ? `'${timeOf(id)}', ${id}` : `${id}`);
            for (const [j, lit] of t.sql.entries()) {
              const q = `INSERT INTO ${name} ${cols} VALUES (${head(j)}, ${lit})`;
              const pg = await pgWrite(q.replace(name, SCHEMA + name));
              checks.push({ what: `${t.type} ${kind}: INSERT ${lit}`, pg, ours: await ourWrite(q) });
            }
            for (const [j, lit] of t.sql.entries()) {
              // INSERT … SELECT (the general path's rows, written through 2PC) and UPDATE on the shards.
              const sel = `INSERT INTO ${name} ${cols} SELECT ${kind === 'hyper' ? `'${timeOf(1000 + j)}'::timestamptz, ` : ''}${1000 + j}, ${lit}`;
              const upd = `UPDATE ${name} SET v = ${lit} WHERE id = 0`;
              // ON CONFLICT DO UPDATE: the shards assign EXCLUDED's value with the declared type.
              const upsert = `INSERT INTO ${name} (id, v) VALUES (1, ${lit}) ON CONFLICT (id) DO UPDATE SET v = excluded.v`;
              for (const [label, q] of [
                ['INSERT … SELECT', sel],
                ['UPDATE', upd],
                ...(kind === 'dist' ? [['ON CONFLICT', upsert]] : []),
              ]) {
                const pg = await pgWrite(q.replace(name, SCHEMA + name));
                checks.push({ what: `${t.type} ${kind}: ${label} ${lit}`, pg, ours: await ourWrite(q) });
              }
            }
            const records = t.json.map((v, j) => ({
              ...(kind === 'hyper' && { time: timeOf(100 + j) }),
              id: 100 + j,
              v,
            }));
            const r = await ingest(name, 'application/json', JSON.stringify(records));
            for (const [j, rec] of records.entries()) {
              const pg = await pgWrite(
                `INSERT INTO ${SCHEMA}${name} SELECT * FROM json_populate_record(NULL::${SCHEMA}${name}, $1)`,
                [JSON.stringify(rec)],
              );
              const reason = r.body.errors.find((e) => e.line === j + 1)?.reason;
              // Ingest reasons are text (no SQLSTATE): refused alike, with PostgreSQL's message in ours.
              checks.push({
                what: `${t.type} ${kind}: ingest ${JSON.stringify(rec.v)}`,
                pg: pg.ok ? 'accepted' : `refused: ${pg.message}`,
                ours:
                  reason === undefined
                    ? 'accepted'
                    : !pg.ok && reason.includes(pg.message)
                      ? `refused: ${pg.message}`
                      : `refused: ${reason}`,
              });
            }
            if (kind === 'dist') {
              // CSV: every value is text, read by the type's input function as PostgreSQL reads it.
              const quote = (v: unknown) => `"${String(v).replace(/"/g, '""')}"`;
              const body = ['id,v', ...t.json.map((v, j) => `${300 + j},${quote(v)}`)].join('\n');
              const csv = await ingest(name, 'text/csv', body);
              for (const [j, v] of t.json.entries()) {
                const pg = await pgWrite(
                  `INSERT INTO ${SCHEMA}${name} SELECT * FROM json_populate_record(NULL::${SCHEMA}${name}, $1)`,
                  [JSON.stringify({ id: 300 + j, v: String(v) })],
                );
                // CSV line numbers count the header.
                const reason = csv.body.errors.find((e) => e.line === j + 2)?.reason;
                checks.push({
                  what: `${t.type} ${kind}: CSV ${quote(v)}`,
                  pg: pg.ok ? 'accepted' : `refused: ${pg.message}`,
                  ours:
                    reason === undefined
                      ? 'accepted'
                      : !pg.ok && reason.includes(pg.message)
                        ? `refused: ${pg.message}`
                        : `refused: ${reason}`,
                });
              }
            }
            if (kind === 'hyper') {
              // Line protocol (its own columnar path, see ingest-columns): id as a tag, v as a field.
              const points = t.json.map((v, j) => ({ id: 200 + j, v }));
              const field = (v: unknown) =>
                typeof v === 'string'
                  ? `"${v.replace(/["\\]/g, '\\$&')}"`
                  : typeof v === 'number' && Number.isSafeInteger(v)
                    ? `${v}i`
                    : String(v);
              const body = points
                .map(
                  (p) =>
                    `${name},id=${p.id} v=${field(p.v)} ${BigInt(Date.parse(timeOf(p.id))) * 1_000_000n}`,
                )
                .join('\n');
              const lp = await ingest(name, 'text/plain', body);
              for (const [j, p] of points.entries()) {
                const rec = { time: timeOf(p.id), id: p.id, v: p.v };
                const pg = await pgWrite(
                  `INSERT INTO ${SCHEMA}${name} SELECT * FROM json_populate_record(NULL::${SCHEMA}${name}, $1)`,
                  [JSON.stringify(rec)],
                );
                const reason = lp.body.errors.find((e) => e.line === j + 1)?.reason;
                checks.push({
                  what: `${t.type} ${kind}: line protocol ${field(p.v)}`,
                  pg: pg.ok ? 'accepted' : `refused: ${pg.message}`,
                  ours:
                    reason === undefined
                      ? 'accepted'
                      : !pg.ok && reason.includes(pg.message)
                        ? `refused: ${pg.message}`
                        : `refused: ${reason}`,
                });
              }
            }
            const pgRows = await c.query({
              // concat(v): the type's output (char(n) keeps its padding there, not in v::text).
              text: `SELECT id, v::text, pg_typeof(v)::text, CASE WHEN v IS NOT NULL THEN concat(v) END FROM ${SCHEMA}${name} ORDER BY id`,
              rowMode: 'array',
            });
            const ours = await ok(`SELECT id, v, v::text FROM ${name} ORDER BY id`);
            const pgType = (pgRows.rows[0]?.[2] as string | undefined) ?? t.type;
            const catalogSql = (schema: string) =>
              `SELECT column_name, data_type, character_maximum_length, numeric_precision, numeric_scale FROM information_schema.columns WHERE table_schema = '${schema}' AND table_name = '${name}' ORDER BY ordinal_position`;
            checks.push({
              what: `${t.type} ${kind}: information_schema.columns`,
              pg: (await c.query({ text: catalogSql('ty_ref'), rowMode: 'array' })).rows,
              ours: (await ok(catalogSql('public'))).rows,
            });
            checks.push({
              what: `${t.type} ${kind}: result type`,
              pg: API_TYPE[pgType] ?? pgType,
              ours: ours.columns[1].type,
            });
            checks.push({
              what: `${t.type} ${kind}: rows as text`,
              pg: pgRows.rows.map((x) => [x[0], x[1]]),
              ours: ours.rows.map((x) => [x[0], x[2]]),
            });
            const pgJson = pgRows.rows.map((x) => [
              x[0],
              apiJson((pgType === 'character' ? x[3] : x[1]) as string | null, pgType),
            ]);
            checks.push({
              what: `${t.type} ${kind}: rows as JSON`,
              pg: pgJson,
              ours: ours.rows.map((x) => [x[0], x[1]]),
            });
            // The same rows compacted into columnar chunks read back the same (and compare the same).
            await ok(`SELECT compact_table('${name}')`);
            const chunked = await ok(`SELECT id, v, v::text, v = v FROM ${name} ORDER BY id`);
            checks.push({
              what: `${t.type} ${kind}: rows as JSON from chunks`,
              pg: pgJson,
              ours: chunked.rows.map((x) => [x[0], x[1]]),
            });
            checks.push({
              what: `${t.type} ${kind}: rows as text from chunks`,
              pg: pgRows.rows.map((x) => [x[0], x[1]]),
              ours: chunked.rows.map((x) => [x[0], x[2]]),
            });
          }
        }
        await c.query('DROP SCHEMA ty_ref CASCADE');
      } finally {
        c.release();
      }
    });
  }, 600_000);

  it('every write, value and type agrees with PostgreSQL except the known differences', () => {
    const differ = checks.filter((x) => JSON.stringify(x.pg) !== JSON.stringify(x.ours));
    console.log(
      `types vs PostgreSQL: ${checks.length} checks, ${checks.length - differ.length} agree, ${differ.length} differ`,
    );
    for (const d of differ)
      console.log(`DIFF ${d.what}\n  pg:   ${JSON.stringify(d.pg)}\n  ours: ${JSON.stringify(d.ours)}`);
    expect(checks.length).toBeGreaterThan(200);
    expect(differ.map((d) => d.what).sort()).toEqual([...KNOWN].sort());
  });
});

/** Differences that remain, each with its reason (see the test's header). */
const KNOWN: readonly string[] = [
  // The engine has no varchar type: varchar(n) is text with a length modifier, reported as text.
  ...KINDS.map((k) => `varchar(4) ${k}: result type`),
  // Likewise name is text with a 63-byte modifier, reported as text.
  ...KINDS.map((k) => `name ${k}: result type`),
  // Line protocol's columnar path holds numbers as doubles: int8 beyond ±2^53 is refused there
  // (with a reason naming the other formats), so two rows are missing from the hypertable.
  'bigint hyper: line protocol "9223372036854775807"',
  'bigint hyper: line protocol "12345678901234567"',
  'bigint hyper: rows as text',
  'bigint hyper: rows as JSON',
  'bigint hyper: rows as text from chunks',
  'bigint hyper: rows as JSON from chunks',
  // The engine's dates have no infinity (0A000) on any route; the row is missing from both reads.
  ...KINDS.flatMap((k) => [
    ...['INSERT', 'INSERT … SELECT', 'UPDATE', ...(k === 'dist' ? ['ON CONFLICT'] : [])].map(
      (w) => `date ${k}: ${w} 'infinity'`,
    ),
    `date ${k}: rows as text`,
    `date ${k}: rows as JSON`,
    `date ${k}: rows as text from chunks`,
    `date ${k}: rows as JSON from chunks`,
  ]),
];
