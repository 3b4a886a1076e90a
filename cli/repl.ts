/**
 * @module cli/repl
 * The interactive SQL shell of `orochi sql` (node:readline): statements end
 * with `;` and may span lines, history is kept in the config folder, Tab
 * completes keywords, tables and columns. Backslash commands: `\q` quits,
 * `\dt` lists tables, `\d <table>` its columns, `\?` helps.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { OrochiApi } from './api.ts';
import { complete, fetchSchemaNames, type SchemaNames } from './completion.ts';
import { configDir } from './config.ts';
import type { OutputFormat } from './result-format.ts';
import { runSql } from './sql-command.ts';

const HISTORY_SIZE = 1000;

function historyPath(): string {
  return join(configDir(), 'history');
}

/** The newest `HISTORY_SIZE` entries, newest first, as readline wants them. */
function readHistory(): string[] {
  try {
    return readFileSync(historyPath(), 'utf8').split('\n').filter(Boolean).slice(-HISTORY_SIZE).reverse();
  } catch {
    return [];
  }
}

function saveHistory(entry: string): void {
  try {
    mkdirSync(configDir(), { recursive: true, mode: 0o700 });
    appendFileSync(historyPath(), `${entry.replace(/\n/g, ' ')}\n`, { mode: 0o600 });
  } catch {
    /* history is a convenience: a read-only home must not stop the shell */
  }
}

const HELP = `\\q quit   \\dt list tables   \\d <table> describe a table   \\? this help
Statements end with ; and may span lines.`;

/** Runs the shell until \q or end of input. */
export async function startRepl(api: OrochiApi, format: OutputFormat): Promise<void> {
  let schema: SchemaNames = await fetchSchemaNames(api);
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    history: readHistory(),
    historySize: HISTORY_SIZE,
    completer: (line: string) => complete(line, schema),
  });
  const prompt = (continued: boolean) => {
    rl.setPrompt(`${api.config.database}${continued ? '-' : '='}> `);
    rl.prompt();
  };
  console.log(`orochi: ${api.config.url}, database "${api.config.database}". Type \\? for help.`);
  let buffer = '';
  prompt(false);
  for await (const line of rl) {
    const trimmed = line.trim();
    if (buffer === '' && trimmed.startsWith('\\')) {
      saveHistory(trimmed);
      const [cmd, arg] = trimmed.split(/\s+/, 2);
      if (cmd === '\\q') break;
      if (cmd === '\\?') console.log(HELP);
      else if (cmd === '\\dt') console.log([...schema.keys()].sort().join('\n') || '(no tables)');
      else if (cmd === '\\d' && arg) {
        await runSql(
          api,
          `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '${arg.replace(/'/g, "''")}'`,
          format,
        );
      } else console.log(`unknown command ${cmd}; \\? for help`);
      prompt(false);
      continue;
    }
    buffer += (buffer ? '\n' : '') + line;
    if (!trimmed.endsWith(';')) {
      prompt(buffer.trim() !== '');
      if (buffer.trim() === '') buffer = '';
      continue;
    }
    const sql = buffer;
    buffer = '';
    saveHistory(sql);
    await runSql(api, sql, format);
    // A statement may have created or dropped tables: refresh what Tab completes.
    if (/\b(create|drop|alter)\b/i.test(sql)) schema = await fetchSchemaNames(api);
    prompt(false);
  }
  rl.close();
}
