/**
 * @module web/databases/TablesView
 * Tables of a database through SQL, since the data plane exposes its catalog
 * that way: the column list from information_schema, then `show_shards(t)`
 * (rows, bytes, hash range per shard) and `show_chunks(t)` (time range, tier)
 * for the selected table.
 */
import { useState } from 'react';
import { ApiError } from '../api/http.ts';
import { runSql, type SqlResult, sqlLiteral } from '../api/sql.ts';
import { AsyncView } from '../components/AsyncView.tsx';
import { useAsync } from '../components/use-async.ts';
import { ResultTable } from './ResultTable.tsx';

const COLUMNS_SQL = `SELECT table_name, column_name, data_type, is_nullable
FROM information_schema.columns
WHERE table_schema = 'public'
ORDER BY table_name, ordinal_position`;

/** `null` when the data plane cannot list tables (0A000): the page then offers lookup by name only. */
async function loadSchema(database: string, signal: AbortSignal) {
  try {
    return groupByTable(await runSql(database, COLUMNS_SQL, [], signal));
  } catch (e) {
    if (e instanceof ApiError && e.code === '0A000') return null;
    throw e;
  }
}

function groupByTable(r: SqlResult) {
  const tables = new Map<string, { column: string; type: string; nullable: string }[]>();
  for (const [t, column, type, nullable] of r.rows) {
    const list = tables.get(String(t)) ?? [];
    list.push({ column: String(column), type: String(type), nullable: String(nullable) });
    tables.set(String(t), list);
  }
  return tables;
}

export function TablesView({ database }: { database: string }) {
  const schema = useAsync((signal) => loadSchema(database, signal), [database]);
  const [selected, setSelected] = useState<string | null>(null);
  const [typed, setTyped] = useState('');

  return (
    <section aria-labelledby="tables-title">
      <h2 id="tables-title">Tables</h2>
      <AsyncView state={schema} label="Loading schema…">
        {(tables) =>
          tables === null ? (
            <p className="muted" data-testid="no-table-list">
              This database cannot list its tables yet. Inspect a table by name below.
            </p>
          ) : tables.size === 0 ? (
            <p className="empty">No tables yet. Create one from the SQL tab.</p>
          ) : (
            <ul className="table-list" data-testid="table-list">
              {[...tables].map(([name, cols]) => (
                <li key={name}>
                  <button
                    type="button"
                    className="link"
                    aria-pressed={selected === name}
                    onClick={() => setSelected(name)}
                  >
                    {name}
                  </button>{' '}
                  <span className="muted">
                    {cols
                      .map((c) => `${c.column} ${c.type}${c.nullable === 'NO' ? ' not null' : ''}`)
                      .join(', ')}
                  </span>
                </li>
              ))}
            </ul>
          )
        }
      </AsyncView>
      <form
        className="form-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (typed.trim()) setSelected(typed.trim());
        }}
      >
        <label>
          Inspect a table
          <input value={typed} onChange={(e) => setTyped(e.target.value)} placeholder="table name" />
        </label>
        <button type="submit">Show shards and chunks</button>
      </form>
      {selected && <TableDistribution database={database} table={selected} />}
    </section>
  );
}

function TableDistribution({ database, table }: { database: string; table: string }) {
  const shards = useAsync(
    (signal) => runSql(database, `SELECT show_shards(${sqlLiteral(table)})`, [], signal),
    [database, table],
  );
  const chunks = useAsync(
    (signal) => runSql(database, `SELECT show_chunks(${sqlLiteral(table)})`, [], signal),
    [database, table],
  );
  return (
    <div className="distribution" data-testid="distribution">
      <h3>Shards of {table}</h3>
      <AsyncView state={shards} label="Loading shards…">
        {(r) => <ResultTable result={r} caption={`Shards of ${table}`} testId="shards-table" />}
      </AsyncView>
      <h3>Hypertable chunks of {table}</h3>
      <AsyncView state={chunks} label="Loading chunks…">
        {(r) =>
          r.rowCount === 0 ? (
            <p className="empty">No chunks (not a hypertable, or no compacted data yet).</p>
          ) : (
            <ResultTable result={r} caption={`Chunks of ${table}`} testId="chunks-table" />
          )
        }
      </AsyncView>
    </div>
  );
}
