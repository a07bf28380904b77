import { type FakeLambda, startFakeLambda } from '../../infra/local/fake-lambda.js';
import { LOCAL_MEMBER_KEY } from '../../infra/local/runtime.js';
import type { BotHandler } from '../../shared/lambda/http.js';
import type { HandlerDeps, PlatformDescriptor } from '../../shared/platform/descriptor.js';
import type { FakeServer } from '../../shared/platform/fake-server.js';
import { type FaultyProxy, startFaultyProxy } from './faulty-proxy.js';
import { startTestTable, type TestTable } from './table.js';

/** A bot's real handler wired to a fresh table (through a faulty proxy) and its fake platform API. */
export interface BotUnderTest {
  readonly handler: BotHandler;
  readonly table: TestTable;
  /** Between the handler and dynalite, so a test can make DynamoDB fail mid-event. */
  readonly proxy: FaultyProxy;
  readonly api: FakeServer;
  /** The Lambda Invoke endpoint the handler hands later jobs to; it runs them on `handler`. */
  readonly lambda: FakeLambda;
  /** The environment the handler was built from (the sandbox's, pointed at this table and fake API). */
  readonly env: Readonly<Record<string, string>>;
  /** Another handler instance (another Lambda cold start) on the same table, with other settings. */
  another(env?: Record<string, string>, deps?: HandlerDeps): BotHandler;
  /** Stops what it started: its table too, unless the table was given (then its owner closes it). */
  close(): Promise<void>;
}

export interface BotUnderTestOptions {
  /** Settings on top of the sandbox's (e.g. another bot identity). */
  readonly env?: Record<string, string>;
  readonly deps?: HandlerDeps;
  /**
   * A table started (and closed) by the caller, so several bots share one table as the deployed ones do;
   * each bot keeps its own faulty proxy in front of it. Without it the bot starts a table of its own.
   */
  readonly table?: TestTable;
}

/**
 * Starts everything a bot talks to, then builds its handler with the descriptor's factory from the sandbox
 * settings, as a Lambda cold start would. Later jobs go through the real Lambda client to a fake Invoke
 * endpoint that runs them on a second instance of the handler (as Lambda would, on any instance). Nothing
 * touches `process.env`.
 */
export async function startBotUnderTest(
  bot: PlatformDescriptor,
  options: BotUnderTestOptions = {},
): Promise<BotUnderTest> {
  const table = options.table ?? (await startTestTable());
  const proxy = await startFaultyProxy(table.endpoint);
  const api = await bot.sandbox.startFakeApi();
  const lambda = await startFakeLambda();
  const functionName = `community-${bot.platform}-test`;
  const env = {
    // As in `npm run dev`: every new space is a community of its own unless a test says otherwise.
    SPACES_MODE: 'open',
    MEMBER_KEY: LOCAL_MEMBER_KEY,
    ...bot.sandbox.env(api.url),
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: proxy.endpoint,
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    LAMBDA_ENDPOINT: lambda.url,
    ...options.env,
  };
  const worker = bot.createHandler(env, options.deps);
  lambda.register(functionName, (payload) => worker(payload as Parameters<BotHandler>[0]));
  return {
    handler: bot.createHandler(env, options.deps),
    table,
    proxy,
    api,
    lambda,
    env,
    another: (more = {}, deps) => bot.createHandler({ ...env, ...more }, deps),
    async close() {
      await lambda.idle();
      await Promise.all([api.close(), proxy.close(), lambda.close()]);
      // A shared table is its owner's to close.
      if (!options.table) await table.close();
    },
  };
}
