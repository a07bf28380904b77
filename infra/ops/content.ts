/**
 * `npm run content:import` and `npm run content:export`: a community's library to and from a file that ops
 * keep (Markdown with front matter, or YAML; shared/core/content/files.ts), against the deployed table or a
 * local one (content-table.ts).
 *
 *   npm run content:import -- infra/content/starter-library.md               the sandbox's Slack workspace
 *   TABLE_NAME=<TableName> npm run content:import -- library.yaml --space telegram:-1001234567890 --dry-run
 *   npm run content:export -- library.md --community <community id>
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { SLACK_SANDBOX } from '../../bots/slack/sandbox.js';
import { spaceKey } from '../../shared/core/communities/model.js';
import {
  type FileProblem,
  formatOfPath,
  type LibraryFormat,
  parseLibrary,
  readFormat,
  writeLibrary,
} from '../../shared/core/content/files.js';
import {
  applyImport,
  countPlan,
  type ImportPlan,
  planImport,
  summaryLine,
} from '../../shared/core/content/import.js';
import { CommunityError } from '../../shared/core/errors.js';
import { PLATFORMS, type Platform, type Space } from '../../shared/core/events.js';
import type { Env } from '../../shared/lambda/env.js';
import type { Store } from '../../shared/store/index.js';
import { type OpsTable, OpsTableError, openOpsTable } from './content-table.js';

const USAGE = `usage: npm run content:import -- <file> [--community <id> | --space <platform>:<id>] [--format md|yaml] [--dry-run]
       npm run content:export -- [file] [--community <id> | --space <platform>:<id>] [--format md|yaml]
A file ending in .md/.markdown is Markdown with front matter, .yaml/.yml is YAML; --format says otherwise.
Export without a file writes to standard output (Markdown unless --format yaml).
Table: TABLE_NAME (the stack's TableName output) with AWS credentials; DYNAMODB_ENDPOINT for a local engine;
neither: npm run dev's data folder (DATA_DIR, .data by default), where the default community is the sandbox's
Slack workspace (slack:${SLACK_SANDBOX.teamId}).`;

/** Where a command writes: `log` for what it says, `out` for an export written to standard output. */
export interface ContentIo {
  log(line: string): void;
  out(text: string): void;
}

interface Options {
  readonly command: 'import' | 'export';
  readonly file?: string;
  readonly format?: LibraryFormat;
  readonly community?: string;
  readonly space?: Space;
  readonly dryRun: boolean;
}

/** A command that cannot go on: its message is printed, its code is the exit code. */
class ContentCommandError extends Error {
  override readonly name = 'ContentCommandError';
  readonly code = 'content_command_refused';
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

/** Runs `import` or `export`; returns the exit code (0 done, 1 a problem, nothing written; 2 usage). */
export async function runContentCommand(
  args: readonly string[],
  env: Env,
  io: ContentIo,
  now: Date = new Date(),
): Promise<number> {
  let table: OpsTable | undefined;
  try {
    const options = readOptions(args);
    // A missing file is said before any table is opened.
    const text = options.command === 'import' ? await readLibraryFile(options) : undefined;
    table = await openOpsTable(env);
    const communityId = await findCommunity(table, options, io);
    if (options.command === 'export') return await exportLibrary(table.store, communityId, options, io);
    return await importLibrary(table.store, communityId, options, text ?? '', io, now);
  } catch (error) {
    // The table could not be opened (a missing setting, a busy data folder): said in a sentence, no stack.
    if (error instanceof OpsTableError || error instanceof CommunityError) {
      io.log(error.message);
      return 1;
    }
    if (!(error instanceof ContentCommandError)) throw error;
    io.log(error.exitCode === 2 ? `${error.message}\n${USAGE}` : error.message);
    return error.exitCode;
  } finally {
    await table?.close();
  }
}

function readOptions(args: readonly string[]): Options {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    throw new ContentCommandError((error as Error).message, 2);
  }
  const [command, file, ...extra] = parsed.positionals;
  if (command !== 'import' && command !== 'export') throw new ContentCommandError('Say import or export.', 2);
  if (extra.length > 0) throw new ContentCommandError(`One file at a time (also got ${extra.join(' ')}).`, 2);
  if (command === 'import' && !file) throw new ContentCommandError('Name the file to import.', 2);
  const { values } = parsed;
  const format = values.format === undefined ? undefined : readFormat(values.format);
  if (values.format !== undefined && !format) {
    throw new ContentCommandError(`--format is md or yaml (got ${values.format}).`, 2);
  }
  if (values.community && values.space)
    throw new ContentCommandError('Give --community or --space, not both.', 2);
  const space = values.space === undefined ? undefined : readSpace(values.space);
  return {
    command,
    ...(file ? { file } : {}),
    ...(format ? { format } : {}),
    ...(values.community ? { community: values.community } : {}),
    ...(space ? { space } : {}),
    dryRun: values['dry-run'] === true,
  };
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      community: { type: 'string' },
      space: { type: 'string' },
      'dry-run': { type: 'boolean' },
    },
  });
}

function readSpace(text: string): Space {
  const match = /^([a-z]+):(\S+)$/.exec(text);
  if (!match || !(PLATFORMS as readonly string[]).includes(match[1] ?? '')) {
    throw new ContentCommandError(
      `Name the space as <platform>:<id>, e.g. telegram:-1001234567890 (got ${text}; platforms: ${PLATFORMS.join(', ')}).`,
      2,
    );
  }
  return { platform: match[1] as Platform, id: match[2] ?? '' };
}

function formatOf(options: Options): LibraryFormat {
  if (options.format) return options.format;
  if (!options.file) return 'markdown';
  const format = formatOfPath(options.file);
  if (format) return format;
  throw new ContentCommandError(
    `${options.file}: cannot tell the format from its name; end it in .md or .yaml, or pass --format md|yaml.`,
  );
}

async function readLibraryFile(options: Options): Promise<string> {
  const file = options.file ?? '';
  formatOf(options);
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ContentCommandError(
      code === 'ENOENT'
        ? `${file}: no such file.`
        : `${file}: cannot read it (${code ?? (error as Error).message}).`,
    );
  }
}

/** The community named by --community or --space; locally, by default, the sandbox's Slack workspace's. */
async function findCommunity(table: OpsTable, options: Options, io: ContentIo): Promise<string> {
  const { spaces } = table.store.core;
  if (options.community) {
    if ((await spaces.spacesOf(options.community)).length > 0) return options.community;
    throw new ContentCommandError(`Unknown community ${options.community} in ${table.where}.`);
  }
  const sandbox: Space = { platform: 'slack', id: SLACK_SANDBOX.teamId };
  const space = options.space ?? (table.local ? sandbox : undefined);
  if (!space)
    throw new ContentCommandError('Name the community: --community <id> or --space <platform>:<id>.', 2);
  const record = await spaces.find(space);
  if (!record) {
    const hint = options.space
      ? 'the bot registers a space at its first activity there (npm run spaces -- list shows them).'
      : 'send the sandbox a first message (npm run say -- --platform slack --user alice "hello"), or name one with --community or --space.';
    throw new ContentCommandError(`Unknown space ${spaceKey(space)} in ${table.where}: ${hint}`);
  }
  if (!options.space)
    io.log(`Using the sandbox's Slack workspace ${spaceKey(space)} (community ${record.communityId}).`);
  return record.communityId;
}

async function importLibrary(
  store: Store,
  communityId: string,
  options: Options,
  text: string,
  io: ContentIo,
  now: Date,
): Promise<number> {
  const file = options.file ?? '';
  const parsed = parseLibrary(text, formatOf(options));
  // Items the file could read are checked even when others could not: every problem is said at once.
  const planned = await planImport(store.core.content, communityId, parsed.file, now);
  if (!parsed.ok || !planned.ok) {
    const problems = [...(parsed.ok ? [] : parsed.problems), ...(planned.ok ? [] : planned.problems)];
    return refuse(file, problems, io);
  }
  const { plan } = planned;
  if (options.dryRun) {
    printPlan(plan, io);
    io.log(`Dry run, nothing written: would have ${summaryLine(countPlan(plan))}.`);
    return 0;
  }
  const summary = await applyImport(store.core.content, plan, (done, total) =>
    io.log(`... ${done} of ${total} items`),
  );
  io.log(`Imported ${basename(file)} into community ${communityId}: ${summaryLine(summary)}.`);
  if (summary.failed.length === 0) return 0;
  io.log(
    'Some items changed while importing (someone edited them, or an id was taken): run the import again.',
  );
  return 1;
}

function refuse(file: string, problems: readonly FileProblem[], io: ContentIo): number {
  const inOrder = [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  for (const problem of inOrder) {
    const where = [file, problem.line].filter((part) => part !== undefined).join(':');
    io.log(`${where}${problem.key ? ` [${problem.key}]` : ''}: ${problem.message}`);
  }
  io.log(`${problems.length === 1 ? 'One problem' : `${problems.length} problems`}: nothing was imported.`);
  return 1;
}

function printPlan(plan: ImportPlan, io: ContentIo): void {
  for (const topic of plan.newTopics) io.log(`add topic ${topic}`);
  for (const step of plan.steps)
    if (step.kind !== 'unchanged') io.log(`${step.kind} ${step.key} (${step.item.id})`);
}

async function exportLibrary(
  store: Store,
  communityId: string,
  options: Options,
  io: ContentIo,
): Promise<number> {
  const [meta, items] = await Promise.all([
    store.core.content.meta(communityId),
    store.core.content.items(communityId),
  ]);
  // Oldest first, so an export reads in the order the library grew and diffs stay small.
  items.sort(
    (a, b) =>
      a.createdAt.localeCompare(b.createdAt) || (a.sourceKey ?? a.id).localeCompare(b.sourceKey ?? b.id),
  );
  const text = writeLibrary({ topics: meta.topics, items }, formatOf(options));
  if (!options.file) {
    io.out(text);
    return 0;
  }
  await writeFile(options.file, text, 'utf8');
  io.log(
    `Exported ${items.length} items and ${meta.topics.length} topics of community ${communityId} to ${options.file}.`,
  );
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  // An export may go to standard output: what it says goes to standard error, off the file.
  const io: ContentIo = {
    log: (line) => (args[0] === 'export' ? console.error(line) : console.log(line)),
    out: (text) => process.stdout.write(text),
  };
  runContentCommand(args, process.env, io)
    .then((code) => process.exit(code))
    .catch((error: unknown) => {
      console.error(`content: ${(error as Error).message}`);
      process.exit(1);
    });
}
