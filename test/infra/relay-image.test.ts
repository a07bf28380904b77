import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, Stack } from 'aws-cdk-lib';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordRelay, relayHealthCheckCommand, relayImageDirectory } from '../../infra/discord-relay.js';
import { startFakeServer } from '../../shared/platform/fake-server.js';

// The relay's container image as the stack builds it at synth (infra/discord-relay.ts), run with Node here
// instead of in Docker; and its health check command against a server on loopback.
const ROOT = join(import.meta.dirname, '../..');
const run = promisify(execFile);

describe('the image', () => {
  // A stand-in entry: a DynamoDB put with no credentials in its config, as the relay's store client makes.
  const ENTRY = `
    import { DynamoDBClient, PutItemCommand } from ${JSON.stringify(join(ROOT, 'node_modules/@aws-sdk/client-dynamodb'))};
    const client = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT, maxAttempts: 1 });
    try {
      await client.send(new PutItemCommand({ TableName: 'community', Item: { pk: { S: 'a' }, sk: { S: 'b' } } }));
      console.log('sent');
    } catch (error) {
      console.log(error.message);
    }
  `;
  let work: string;
  let entry: string;
  let image: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'relay-image-test-'));
    entry = join(work, 'relay-main.ts');
    writeFileSync(entry, ENTRY);
    image = relayImageDirectory(entry, true);
  });

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(image, { recursive: true, force: true });
  });

  it('is the Dockerfile beside the bundled relay, run by node on the slim Node 24 image', () => {
    const dockerfile = readFileSync(join(image, 'Dockerfile'), 'utf8');

    expect(readdirSync(image).sort()).toEqual(['Dockerfile', 'relay-main.mjs']);
    expect(dockerfile).toMatch(/^FROM public\.ecr\.aws\/docker\/library\/node:24-slim$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "relay-main\.mjs"\]$/m);
  });

  it('signs AWS calls with the task role from the container credentials endpoint', async () => {
    // Prepare: Fargate's credentials endpoint and DynamoDB, both fakes on loopback.
    const expiration = new Date(Date.now() + 3_600_000).toISOString();
    const credentials = await startFakeServer('credentials', () => ({
      body: {
        AccessKeyId: 'ASIARELAYTASK',
        SecretAccessKey: 'task-secret',
        Token: 'task-session',
        Expiration: expiration,
      },
    }));
    const dynamodb = await startFakeServer('dynamodb', () => ({ body: {} }));

    // Act
    const { stdout } = await run(process.execPath, [join(image, 'relay-main.mjs')], {
      cwd: work,
      env: {
        PATH: process.env.PATH,
        HOME: work,
        AWS_REGION: 'eu-west-1',
        DYNAMODB_ENDPOINT: dynamodb.url,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${credentials.url}/v2/credentials/task`,
      },
    });
    await Promise.all([credentials.close(), dynamodb.close()]);

    // Assess
    expect(stdout.trim()).toBe('sent');
    expect(credentials.requests.map((r) => r.path)).toEqual(['/v2/credentials/task']);
    expect(dynamodb.requests[0]?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=ASIARELAYTASK\/\d{8}\/eu-west-1\/dynamodb\/aws4_request/,
    );
    expect(dynamodb.requests[0]?.headers['x-amz-security-token']).toBe('task-session');
  });

  it('is the same bytes from the same sources, so an unchanged relay is not pushed again', () => {
    const again = relayImageDirectory(entry, true);

    expect(readFileSync(join(again, 'relay-main.mjs'))).toEqual(readFileSync(join(image, 'relay-main.mjs')));
    rmSync(again, { recursive: true, force: true });
  });

  it('is bundled only when the stack is: a skipped stack never runs esbuild', () => {
    const relayIn = (context: Record<string, unknown>) => () => {
      const stack = new Stack(new App({ context }), 'Relay');
      new DiscordRelay(stack, 'DiscordRelay', {
        table: new Table(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } }),
        tableKey: new Key(stack, 'Key'),
        secret: new Secret(stack, 'Secret'),
        membersSecret: new Secret(stack, 'Members'),
        outboxWorker: LambdaFunction.fromFunctionName(stack, 'Worker', 'outbox'),
        laterFunction: LambdaFunction.fromFunctionName(stack, 'Discord', 'discord'),
        environment: {},
        entry: join(work, 'missing.ts'),
      });
    };

    expect(relayIn({ 'aws:cdk:bundling-stacks': [] })).not.toThrow();
    expect(relayIn({})).toThrow(/missing\.ts/);
  });
});

describe('the health check command', () => {
  async function checkAgainst(status: number | undefined): Promise<number> {
    const server = createServer((_request, response) => response.writeHead(status ?? 500).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    // Nothing listening: the port is closed before the check runs.
    if (status === undefined) await new Promise((resolve) => server.close(resolve));
    const [, node, ...args] = relayHealthCheckCommand(port);
    expect(node).toBe('node');
    const code = await run(process.execPath, args).then(
      () => 0,
      (error: { code: number }) => error.code,
    );
    if (status !== undefined) await new Promise((resolve) => server.close(resolve));
    return code;
  }

  it('passes on 200, fails on 503 and when nothing answers', async () => {
    expect(await checkAgainst(200)).toBe(0);
    expect(await checkAgainst(503)).toBe(1);
    expect(await checkAgainst(undefined)).toBe(1);
  });
});
