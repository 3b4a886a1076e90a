/**
 * @module cli/control-plane-commands
 * Declares `orochi databases …` and `orochi keys …` (commander); the work is
 * in control-plane.ts.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { ConfigFlags } from './config.ts';
import {
  createDatabase,
  createKey,
  deleteDatabase,
  listDatabases,
  listKeys,
  projectContext,
  revokeKey,
} from './control-plane.ts';

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

/** Adds `databases` and `keys` to `program` (its global options carry --url and --project). */
export function registerControlPlaneCommands(program: Command): void {
  const flags = () => program.opts<ConfigFlags>();

  const databases = program
    .command('databases')
    .description("list, create and delete the project's databases (needs `orochi login --browser`)");
  databases
    .command('list', { isDefault: true })
    .description("the project's databases")
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      console.log(await listDatabases(await projectContext(flags(), 'databases'), o.json === true));
    });
  databases
    .command('create')
    .description('create a database')
    .argument('<name>', 'database name')
    .option('--shards <n>', 'default shard count of its tables', positiveInt)
    .action(async (name: string, o: { shards?: number }) => {
      console.log(await createDatabase(await projectContext(flags(), 'databases'), name, o));
    });
  databases
    .command('delete')
    .description('delete a database and all its data (asks to type the name unless --yes)')
    .argument('<name>', 'database name or id')
    .option('-y, --yes', 'do not ask')
    .action(async (name: string, o: { yes?: boolean }) => {
      console.log(await deleteDatabase(await projectContext(flags(), 'databases'), name, o.yes === true));
    });

  const keys = program
    .command('keys')
    .description("list, create and revoke the project's API keys (needs `orochi login --browser`)");
  keys
    .command('list', { isDefault: true })
    .description('the API keys, without their secrets')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      console.log(await listKeys(await projectContext(flags(), 'keys'), o.json === true));
    });
  keys
    .command('create')
    .description('create an API key and print its secret (shown only once)')
    .addOption(
      new Option('--role <role>', 'what the key may do')
        .choices(['read', 'write', 'admin'])
        .makeOptionMandatory(),
    )
    .option('--name <name>', 'a name to recognise it by (default: cli-<role>)')
    // Not --database: that is the global option naming the data-plane commands' database.
    .option('--scope <database>', 'limit the key to one database of the project (name or id)')
    .option('--expires-in <seconds>', 'lifetime in seconds (default: no expiry)', positiveInt)
    .action(
      async (o: { role: 'read' | 'write' | 'admin'; name?: string; scope?: string; expiresIn?: number }) => {
        const ctx = await projectContext(flags(), 'keys');
        const { key, summary } = await createKey(ctx, { ...o, database: o.scope });
        // The secret alone on stdout, so `KEY=$(orochi keys create --role read)` works.
        console.error(summary);
        console.log(key);
      },
    );
  keys
    .command('revoke')
    .description('revoke an API key at once')
    .argument('<id>', 'the key id (from `orochi keys list`)')
    .action(async (id: string) => {
      console.log(await revokeKey(await projectContext(flags(), 'keys'), id));
    });
}
