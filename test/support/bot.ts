import { vi } from 'vitest';
import type { HttpHandler } from '../../shared/lambda/http.js';
import type { FakeServer } from '../../shared/local/fake-server.js';
import type { PlatformSandbox } from '../../shared/local/sandbox.js';
import { type FaultyProxy, startFaultyProxy } from './faulty-proxy.js';
import { loadHandler } from './lambda.js';
import { startTestTable, type TestTable } from './table.js';

/** A bot's real handler wired to a fresh table (through a faulty proxy) and its fake platform API. */
export interface BotUnderTest {
  readonly handler: HttpHandler;
  readonly table: TestTable;
  /** Between the handler and dynalite, so a test can make DynamoDB fail mid-event. */
  readonly proxy: FaultyProxy;
  readonly api: FakeServer;
  close(): Promise<void>;
}

/**
 * Starts everything a bot talks to, then imports its handler in a fresh module graph with the sandbox
 * settings, as a Lambda cold start would. `handlerModule` is relative to test/support/.
 */
export async function startBotUnderTest(
  sandbox: PlatformSandbox,
  handlerModule: string,
  env: Record<string, string> = {},
): Promise<BotUnderTest> {
  const table = await startTestTable();
  const proxy = await startFaultyProxy(table.endpoint);
  const api = await sandbox.startFakeApi();
  vi.resetModules();
  const handler = await loadHandler(handlerModule, {
    ...sandbox.env(api.url),
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: proxy.endpoint,
    ...env,
  });
  return {
    handler,
    table,
    proxy,
    api,
    async close() {
      await Promise.all([api.close(), proxy.close()]);
      await table.close();
    },
  };
}
