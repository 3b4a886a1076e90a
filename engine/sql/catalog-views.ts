/**
 * @module engine/sql/catalog-views
 * The read-only `information_schema` views a client (psql-style tooling, the
 * dashboard's table list and completion) expects: `tables`, `columns`, `views`
 * and `schemata` (views listed with their columns, but without their definition), computed from the `TableStore`'s definitions at bind time, with
 * PostgreSQL's column names and spellings (data_type as in `format_type`
 * without modifiers, `is_nullable` as YES/NO, `ordinal_position` from 1).
 * User tables live in schema `public`; the views do not list themselves.
 * One known difference: after DROP COLUMN, PostgreSQL keeps a gap in
 * `ordinal_position` (it is attnum); here positions are renumbered 1..n.
 */
import { SqlError, SqlState } from '../errors.ts';
import type { Column, Plan } from '../plan/nodes.ts';
import type { TableDef, TableStore, ViewDef } from '../storage/table-store.ts';
import { isArrayType, pgTypeName } from '../types/values.ts';

type Cell = string | number | null;

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

interface View {
  readonly schema: readonly Column[];
  rows(defs: readonly TableDef[], catalog: string, views: readonly ViewDef[]): Cell[][];
}

const text = (name: string): Column => ({ name, type: 'text' });
const int = (name: string): Column => ({ name, type: 'int32' });

/** `data_type` of information_schema.columns: PostgreSQL's name without typmods. */
function dataType(c: TableDef['columns'][number]): string {
  if (c.typmod?.kind === 'varchar') return 'character varying';
  if (c.typmod?.kind === 'name') return 'name';
  if (isArrayType(c.type)) return 'ARRAY';
  return pgTypeName(c.type);
}

function charLength(c: TableDef['columns'][number]): number | null {
  return c.typmod?.kind === 'varchar' || c.typmod?.kind === 'bpchar' ? c.typmod.length : null;
}

/** numeric_precision / numeric_scale: declared for numeric(p,s), PostgreSQL's fixed values for ints and floats. */
function numericPrecision(c: TableDef['columns'][number]): [number | null, number | null] {
  if (c.typmod?.kind === 'numeric') return [c.typmod.precision, c.typmod.scale];
  const fixed: Partial<Record<string, [number, number | null]>> = {
    int16: [16, 0],
    int32: [32, 0],
    int64: [64, 0],
    float32: [24, null],
    float64: [53, null],
  };
  return fixed[c.type] ?? [null, null];
}

const VIEWS: Record<string, View> = {
  tables: {
    schema: ['table_catalog', 'table_schema', 'table_name', 'table_type'].map(text),
    rows: (defs, catalog, views) =>
      [
        ...defs.map((d): Cell[] => [catalog, 'public', d.name, 'BASE TABLE']),
        ...views.map((v): Cell[] => [catalog, 'public', v.name, 'VIEW']),
      ].sort((a, b) => cmp(String(a[2]), String(b[2]))),
  },
  views: {
    schema: ['table_catalog', 'table_schema', 'table_name', 'check_option'].map(text),
    rows: (_defs, catalog, views) => views.map((v) => [catalog, 'public', v.name, 'NONE']),
  },
  columns: {
    schema: [
      text('table_catalog'),
      text('table_schema'),
      text('table_name'),
      text('column_name'),
      int('ordinal_position'),
      text('column_default'),
      text('is_nullable'),
      text('data_type'),
      int('character_maximum_length'),
      int('numeric_precision'),
      int('numeric_scale'),
    ],
    rows: (defs, catalog, views) => [
      ...defs.flatMap((d) =>
        d.columns.map((c, i) => [
          catalog,
          'public',
          d.name,
          c.name,
          i + 1,
          null,
          c.notNull ? 'NO' : 'YES',
          dataType(c),
          charLength(c),
          ...numericPrecision(c),
        ]),
      ),
      // A view's columns: nullable, typed as its query's output (its defining query is not kept as text).
      ...views.flatMap((v) =>
        v.columns.map((c, i): Cell[] => {
          const col = { id: 0, name: c.name, type: c.type, notNull: false } as TableDef['columns'][number];
          return [
            catalog,
            'public',
            v.name,
            c.name,
            i + 1,
            null,
            'YES',
            dataType(col),
            null,
            ...numericPrecision(col),
          ];
        }),
      ),
    ],
  },
  schemata: {
    schema: ['catalog_name', 'schema_name'].map(text),
    rows: (_defs, catalog) => [
      [catalog, 'information_schema'],
      [catalog, 'pg_catalog'],
      [catalog, 'public'],
    ],
  },
};

/** True for schema names the catalog views answer. */
export const isCatalogSchema = (schema: string | undefined): boolean => schema === 'information_schema';

/** A `values` plan holding `information_schema.<name>` as of now (42P01 for an unknown view). */
export function catalogViewPlan(store: TableStore, name: string, catalog = 'orochi'): Plan {
  const view = Object.hasOwn(VIEWS, name) ? VIEWS[name] : undefined;
  if (!view)
    throw new SqlError(SqlState.undefinedTable, `relation "information_schema.${name}" does not exist`);
  const defs = store
    .names()
    .map((n) => store.get(n)?.def)
    .filter((d): d is TableDef => d !== undefined)
    .sort((a, b) => cmp(a.name, b.name));
  const views = [...(store.views?.values() ?? [])].sort((a, b) => cmp(a.name, b.name));
  const rows = view
    .rows(defs, catalog, views)
    .map((r) => r.map((value, i) => ({ kind: 'const' as const, value, type: view.schema[i].type })));
  return { kind: 'values', rows, schema: view.schema };
}
