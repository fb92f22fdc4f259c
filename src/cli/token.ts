import fs from 'node:fs';
import type { Command } from 'commander';
import { issueToken, parseScopes } from '../api/auth.js';
import { DEFAULT_DATABASE_PATH, isPostgresUrl, openStore } from '../store/index.js';
import type { ApiTokenRecord, Store } from '../store/types.js';
import { CliError, EXIT, processIo, type CliIo } from './io.js';
import { printJson, printTable } from './output.js';

const iso = (ms: number | null) => (ms === null ? '—' : new Date(ms).toISOString().replace('T', ' ').slice(0, 16));

/** A token without its hash, for printing. */
function tokenJson(t: ApiTokenRecord) {
  return {
    id: t.id,
    name: t.name,
    scopes: t.scopes,
    createdAt: new Date(t.createdAt).toISOString(),
    lastUsedAt: t.lastUsedAt && new Date(t.lastUsedAt).toISOString(),
    revoked: t.revokedAt !== null,
  };
}

async function withStore<T>(io: CliIo, cmd: Command, mustExist: boolean, fn: (store: Store) => Promise<T>): Promise<T> {
  const file = (cmd.optsWithGlobals() as { database?: string }).database ?? (io.env.DATABASE_URL || io.env.DATABASE_PATH) ?? DEFAULT_DATABASE_PATH;
  const postgres = isPostgresUrl(file);
  // A PostgreSQL URL's password never reaches the terminal.
  const shown = postgres ? file.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@') : file;
  if (mustExist && !postgres && file !== ':memory:' && !fs.existsSync(file))
    throw new CliError(`no database at ${file}: give --database or DATABASE_PATH`, EXIT.notFound);
  let store: Store;
  try {
    store = await openStore(file);
  } catch (error) {
    throw new CliError(`cannot open the database ${shown}: ${(error as Error).message}`, EXIT.failure);
  }
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * `prebuilds token create|list|revoke`: API tokens, managed on the app's database
 * directly (`--database`, else `DATABASE_URL` (PostgreSQL), else `DATABASE_PATH`), since
 * they bootstrap access to the API.
 * Only a token's sha256 is stored; `create` prints the secret once.
 */
export function register(program: Command, io: CliIo = processIo()): Command {
  const token = program
    .command('token')
    .description("manage API tokens on the app's database (run where the database is)")
    .option('--database <path>', `the app's SQLite file or postgres:// URL (default: $DATABASE_URL, else $DATABASE_PATH, else ${DEFAULT_DATABASE_PATH})`)
    .addHelpText(
      'after',
      '\nExamples:\n  $ prebuilds token create --name ci --scope 12345\n  $ prebuilds token create --name admin --scope "*"\n  $ prebuilds token list --database /var/lib/prebuilds/prebuilds.sqlite\n  $ prebuilds token revoke 3\n',
    );

  token
    .command('create')
    .description('issue a token scoped to installations (or * for every one); prints the secret once, on stdout')
    .requiredOption('-s, --scope <scope...>', 'installation id(s), or * (admin)')
    .option('-n, --name <name>', 'a label to recognise it by', 'token')
    .addHelpText('after', '\nExample:\n  $ export PREBUILDS_TOKEN=$(prebuilds token create --name laptop --scope 12345)\n')
    .action(async (opts: { scope: string[]; name: string }, cmd: Command) => {
      let scopes;
      try {
        scopes = parseScopes(opts.scope.flatMap((s) => s.split(',')));
      } catch (error) {
        throw new CliError(`--scope: ${(error as Error).message}`, EXIT.usage);
      }
      if (!opts.name.trim() || opts.name.length > 100) throw new CliError('--name: 1 to 100 characters', EXIT.usage);
      const { token: secret, record } = await withStore(io, cmd, false, (store) => issueToken(store, opts.name.trim(), scopes));
      if ((cmd.optsWithGlobals() as { json?: boolean }).json) return printJson(io, { ...tokenJson(record), token: secret });
      io.stderr.write(`Token #${record.id} "${record.name}" for ${scopes.join(', ')}; it is shown only now:\n`);
      io.stdout.write(`${secret}\n`);
    });

  token
    .command('list')
    .description('list tokens (never their secrets)')
    .addHelpText('after', '\nExample:\n  $ prebuilds token list --json\n')
    .action(async (_opts: unknown, cmd: Command) => {
      const tokens = await withStore(io, cmd, true, (store) => store.listTokens());
      if ((cmd.optsWithGlobals() as { json?: boolean }).json) return printJson(io, tokens.map(tokenJson));
      printTable(
        io,
        ['ID', 'NAME', 'SCOPES', 'CREATED', 'LAST USED', 'REVOKED'],
        tokens.map((t) => [String(t.id), t.name, t.scopes.join(','), iso(t.createdAt), iso(t.lastUsedAt), t.revokedAt === null ? 'no' : iso(t.revokedAt)]),
        'no tokens: prebuilds token create --scope <installation id>',
      );
    });

  token
    .command('revoke')
    .description('revoke a token: requests with it get 401 from now on')
    .argument('<id>', 'token id (from token list)')
    .addHelpText('after', '\nExample:\n  $ prebuilds token revoke 3\n')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      if (!/^[1-9]\d{0,15}$/.test(id)) throw new CliError(`id: "${id}" is not a token id`, EXIT.usage);
      const revoked = await withStore(io, cmd, true, (store) => store.revokeToken(Number(id)));
      if (!revoked) throw new CliError(`no unrevoked token #${id}`, EXIT.notFound);
      if ((cmd.optsWithGlobals() as { json?: boolean }).json) return printJson(io, { id: Number(id), revoked: true });
      io.stdout.write(`Revoked token #${id}\n`);
    });
  return token;
}
