import { createOutboxHandler, type OutboxHandler } from '../../bots/outbox/worker-handler.js';
import { type FakeLambda, startFakeLambda } from '../../infra/local/fake-lambda.js';
import { LOCAL_MEMBER_KEY } from '../../infra/local/runtime.js';
import { PLATFORM_DESCRIPTORS } from '../../infra/platforms.js';
import type { Platform } from '../../shared/core/events.js';
import type { Clock } from '../../shared/core/outbox/model.js';
import type { WorkerReport } from '../../shared/core/outbox/worker.js';
import type { BotHandler } from '../../shared/lambda/http.js';
import { SCHEDULED_EVENT } from '../../shared/lambda/wake.js';
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
  /**
   * The outbox worker on the same table, sending to this bot's fake API (and to the `apis` given for the
   * other platforms). The bot's wake-ups invoke it through the fake Lambda, as in AWS: `settled()` waits
   * for them. `run()` runs it once now, as the schedule would, on the `clock` given (else the system's).
   */
  readonly outbox: WorkerUnderTest;
  /** Resolves once every invocation the bot started (later jobs, outbox wake-ups) has finished. */
  settled(): Promise<void>;
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
  /** The outbox worker's clock (a simulated one shared with the fake APIs); the system's by default. */
  readonly clock?: Clock;
  /**
   * Fake platform APIs started (and closed) by the caller: this bot's own is used instead of starting one
   * (so a test can start it with a clock, faults or strict limits), the others are where the worker sends
   * those platforms' messages. A platform without one is unreachable for the worker.
   */
  readonly apis?: Partial<Record<Platform, FakeServer>>;
}

/** The outbox worker of a bot under test. */
export interface WorkerUnderTest {
  /** The worker Lambda's handler, as the fake Lambda runs it on a wake-up. */
  readonly handler: OutboxHandler;
  /** The name the bot invokes it by (OUTBOX_FUNCTION_NAME). */
  readonly functionName: string;
  /** Runs it once now, as its schedule would (until nothing is due, at most its 55 s of the clock). */
  run(): Promise<WorkerReport>;
  /** Resolves once every run a wake-up started so far has finished. */
  idle(): Promise<void>;
}

/**
 * A bot handler whose calls also wait for the outbox runs that started meanwhile (the wake-ups of what the
 * call enqueued). In AWS the webhook answers first and the worker runs just after; waiting here keeps a test
 * that reads the table or the fake API after a delivery from racing that run.
 */
function untilOutboxSettled(handler: BotHandler, outbox: WorkerUnderTest): BotHandler {
  return async (event, context) => {
    const result = await handler(event, context);
    await outbox.idle();
    return result;
  };
}

/** Where the worker sends for a platform no test started a fake API for: nothing listens on the discard port. */
const UNREACHABLE_API = 'http://127.0.0.1:9';

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
  const givenApi = options.apis?.[bot.platform];
  const api = givenApi ?? (await bot.sandbox.startFakeApi());
  const lambda = await startFakeLambda();
  const functionName = `community-${bot.platform}-test`;
  const outboxFunctionName = `community-outbox-test`;
  const env = {
    // As in `npm run dev`: every new space is a community of its own unless a test says otherwise.
    SPACES_MODE: 'open',
    MEMBER_KEY: LOCAL_MEMBER_KEY,
    ...bot.sandbox.env(api.url),
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: proxy.endpoint,
    // Unasked speech goes out whatever the hour the tests run; the tests of quiet hours set their own.
    DEFAULT_QUIET_HOURS: 'off',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    LAMBDA_ENDPOINT: lambda.url,
    OUTBOX_FUNCTION_NAME: outboxFunctionName,
    ...options.env,
  };
  const worker = bot.createHandler(env, options.deps);
  lambda.register(functionName, (payload) => worker(payload as Parameters<BotHandler>[0]));
  const outbox = startWorkerUnderTest(bot, api, table, lambda, outboxFunctionName, options);
  return {
    handler: untilOutboxSettled(bot.createHandler(env, options.deps), outbox),
    table,
    proxy,
    api,
    lambda,
    env,
    another: (more = {}, deps) => untilOutboxSettled(bot.createHandler({ ...env, ...more }, deps), outbox),
    outbox,
    settled: () => lambda.idle(),
    async close() {
      await lambda.idle();
      await Promise.all([givenApi ? undefined : api.close(), proxy.close(), lambda.close()]);
      // A shared table is its owner's to close.
      if (!options.table) await table.close();
    },
  };
}

/**
 * The fake APIs of the bots that share a table, by platform: a worker on that table sends each platform's
 * messages to that platform's bot's fake, as the one deployed worker sends for every bot.
 */
const apisByTable = new WeakMap<TestTable, Map<Platform, FakeServer>>();

/**
 * The worker Lambda's handler with every platform's sandbox settings, on the table itself (not through the
 * bot's faulty proxy: a test that fails the bot's DynamoDB calls should not fail the worker's), registered
 * with the bot's fake Lambda under the name the bot wakes. It is built on its first invocation, and again
 * when another bot joined the table since, so it knows every fake API started by then (a test starts its
 * bots before they speak).
 */
function startWorkerUnderTest(
  bot: PlatformDescriptor,
  api: FakeServer,
  table: TestTable,
  lambda: FakeLambda,
  functionName: string,
  options: BotUnderTestOptions,
): WorkerUnderTest {
  const shared = apisByTable.get(table) ?? new Map<Platform, FakeServer>();
  apisByTable.set(table, shared);
  if (!shared.has(bot.platform)) shared.set(bot.platform, api);
  const apiOf = (platform: Platform) =>
    (platform === bot.platform ? api : (options.apis?.[platform] ?? shared.get(platform)))?.url ??
    UNREACHABLE_API;
  let built: { handler: OutboxHandler; knows: number } | undefined;
  const current = (): OutboxHandler => {
    if (built?.knows === shared.size) return built.handler;
    const env = {
      ...Object.assign({}, ...PLATFORM_DESCRIPTORS.map((each) => each.sandbox.env(apiOf(each.platform)))),
      TABLE_NAME: table.tableName,
      DYNAMODB_ENDPOINT: table.endpoint,
      DEFAULT_QUIET_HOURS: 'off',
      ...options.env,
    };
    const handler = createOutboxHandler(env, {
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.deps?.logger ? { logger: options.deps.logger } : {}),
    });
    built = { handler, knows: shared.size };
    return handler;
  };
  const handler: OutboxHandler = (event, context) => current()(event, context);
  const woken = new Set<Promise<unknown>>();
  lambda.register(functionName, (payload) => {
    const run = handler(payload);
    woken.add(run);
    void run.then(
      () => woken.delete(run),
      () => woken.delete(run),
    );
    return run;
  });
  return {
    handler,
    functionName,
    run: () => handler(SCHEDULED_EVENT),
    async idle() {
      while (woken.size > 0) await Promise.allSettled([...woken]);
    },
  };
}
