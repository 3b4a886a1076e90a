/**
 * @module cli/main
 * The `orochi` command line (commander). Each subcommand lives in its own
 * module; this file only declares options and wires them to those modules.
 * Errors print as psql does and exit with status 1.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { OrochiApi } from './api.ts';
import { ConfigError, type ConfigFlags, resolveConfig } from './config.ts';
import { findDatabase, projectContext } from './control-plane.ts';
import { registerControlPlaneCommands } from './control-plane-commands.ts';
import { loginWithBrowser, logout } from './device-login.ts';
import { exportTable } from './export.ts';
import { formatLoadSummary, load } from './load.ts';
import { LOAD_FORMATS, type LoadFormat } from './load-input.ts';
import { login } from './login.ts';
import { registerProxyCommand } from './proxy.ts';
import { startRepl } from './repl.ts';
import type { OutputFormat } from './result-format.ts';
import { requireSession } from './session.ts';
import { explain, formatError, runSql } from './sql-command.ts';

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

const program = new Command('orochi')
  .description('Command line for Orochi Edge: SQL, bulk load and export over the HTTP API')
  .option('--url <url>', 'API base URL (default: $OROCHI_URL, then `orochi login`)')
  .option('--api-key <key>', 'API key (default: $OROCHI_API_KEY, then `orochi login`)')
  .option(
    '-d, --database <name>',
    'database name or id (default: $OROCHI_DATABASE, then `orochi login`, then "default")',
  )
  .option(
    '--project <id|name>',
    'project of `databases` and `keys` (default: $OROCHI_PROJECT, then your only project)',
  )
  .showHelpAfterError();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The data-plane client: the API key, else the signed-in session (`orochi login --browser`).
 * A session reaches databases by id only (a user may see the same name in several projects),
 * so a name is looked up in the project first.
 */
async function api(): Promise<OrochiApi> {
  const flags = program.opts<ConfigFlags>();
  const config = resolveConfig(flags, process.env, true);
  if (config.apiKey) return new OrochiApi(config);
  let session: ReturnType<typeof requireSession>;
  try {
    session = requireSession(flags, 'sql');
  } catch {
    throw new ConfigError(
      'no API key or session: run `orochi login` (an API key) or `orochi login --browser`, or set OROCHI_API_KEY',
    );
  }
  const database = UUID.test(config.database)
    ? config.database
    : (await findDatabase(await projectContext(flags, 'sql'), config.database)).id;
  return new OrochiApi({ ...config, database }, session.bearer);
}

program
  .command('login')
  .description(
    'store an API key (checked against the API), or with --browser sign in as a user through the dashboard',
  )
  .option('--browser', 'sign in by approving a code in a signed-in browser (device flow); prints the URL')
  .action(async (o: { browser?: boolean }) => {
    const flags = program.opts<ConfigFlags>();
    console.log(o.browser ? await loginWithBrowser(flags) : await login(flags));
  });

program
  .command('logout')
  .description('end the signed-in session and remove the stored credentials')
  .action(async () => {
    console.log(await logout(program.opts<ConfigFlags>()));
  });

registerControlPlaneCommands(program);

program
  .command('sql')
  .description('run SQL: -c for one command, else an interactive shell')
  .option('-c, --command <sql>', 'run this SQL (one or more statements) and exit')
  .option('--json', 'print rows as a JSON array of objects')
  .option('--csv', 'print rows as CSV with a header row')
  .action(async (o: { command?: string; json?: boolean; csv?: boolean }) => {
    const format: OutputFormat = o.json ? 'json' : o.csv ? 'csv' : 'table';
    if (o.command !== undefined) {
      if (!(await runSql(await api(), o.command, format))) process.exitCode = 1;
      return;
    }
    await startRepl(await api(), format);
  });

program
  .command('explain')
  .description("print a statement's distributed plan")
  .argument('<sql>', 'the statement to explain')
  .option('--analyze', 'run it and show actual row counts')
  .action(async (sql: string, o: { analyze?: boolean }) => {
    console.log(await explain(await api(), sql, o.analyze === true));
  });

program
  .command('load')
  .description('bulk-load CSV, NDJSON, line protocol or Parquet (gzip detected) into a table, resumably')
  .argument('<file>', 'input file, or - for stdin')
  .requiredOption('-t, --table <table>', 'target table (it must exist)')
  .addOption(
    new Option('-f, --format <format>', 'input format (default: from the file name, else sniffed)').choices(
      LOAD_FORMATS,
    ),
  )
  .option('--batch-rows <n>', 'rows per request', positiveInt, 50_000)
  .option('--batch-bytes <n>', 'bytes per request (a record is never split)', positiveInt, 8 << 20)
  .option('--concurrency <n>', 'requests in flight', positiveInt, 2)
  .option('--run <label>', 'load the same data again as new rows (batches are otherwise recognised for 24 h)')
  .addOption(
    new Option('--precision <p>', 'line protocol timestamp precision').choices(['ns', 'us', 'ms', 's']),
  )
  .action(
    async (
      file: string,
      o: {
        table: string;
        format?: LoadFormat;
        batchRows: number;
        batchBytes: number;
        concurrency: number;
        run?: string;
        precision?: string;
      },
    ) => {
      const summary = await load(await api(), file, o);
      console.log(formatLoadSummary(summary));
    },
  );

program
  .command('export')
  .description('write a table as CSV or Parquet, page by page')
  .requiredOption('-t, --table <table>', 'table to export')
  .addOption(new Option('--format <format>', 'output format').choices(['csv', 'parquet']).default('csv'))
  .option('-o, --output <file>', 'output file (default: stdout; required for Parquet)')
  .option('--page-rows <n>', 'rows per query', positiveInt, 50_000)
  .action(async (o: { table: string; format: 'csv' | 'parquet'; output?: string; pageRows: number }) => {
    const rows = await exportTable(await api(), o);
    if (o.output)
      console.error(`exported ${new Intl.NumberFormat('en-US').format(rows)} rows to ${o.output}`);
  });

// More subcommands register here, each from its own module.
registerProxyCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  console.error(e instanceof ConfigError ? `error: ${e.message}` : formatError(e));
  process.exitCode = 1;
}
