import { Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  Architecture,
  type IFunction,
  Function as LambdaFunction,
  ParamsAndSecretsLayerVersion,
  ParamsAndSecretsVersions,
  Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { PlatformDescriptor } from '../shared/platform/descriptor.js';
import { TABLE } from '../shared/store/table.js';
import { botCode } from './bundling.js';

/**
 * The only table actions a bot needs: conditional puts for idempotent records and answer claims, updates
 * to complete a claim or mark a note read, deletes to release a claim or use up a deep link, reads for
 * rollups and the cache, queries on the indexes, and batch deletes (an erasure removes thousands of records).
 * No Scan.
 */
export const BOT_TABLE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:Query',
] as const;

/**
 * What a function that reads and writes the table needs of its customer-managed key (what the table's own
 * grants would give: decrypt to read, encrypt and data keys to write), and only through DynamoDB: the
 * condition keeps the key from being used directly.
 */
export const TABLE_KEY_ACTIONS = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
] as const;

/** The statement that lets a function use the table's key, through DynamoDB only. */
export function tableKeyStatement(scope: Construct, key: IKey): PolicyStatement {
  return new PolicyStatement({
    actions: [...TABLE_KEY_ACTIONS],
    resources: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(scope).region}.amazonaws.com` } },
  });
}

/**
 * What a bot's code needs of the table, for any role that runs it (a function, the relay's task): the bot's
 * item actions on the table and its two indexes, and its key through DynamoDB only.
 */
export function tableAccessStatements(scope: Construct, table: ITable, key: IKey): PolicyStatement[] {
  return [
    new PolicyStatement({
      actions: [...BOT_TABLE_ACTIONS],
      resources: [
        table.tableArn,
        `${table.tableArn}/index/${TABLE.indexes.byDay.name}`,
        `${table.tableArn}/index/${TABLE.indexes.byMember.name}`,
      ],
    }),
    tableKeyStatement(scope, key),
  ];
}

/** Later jobs: Lambda's own retries (two) within the life of a Discord interaction token. */
export const LATER_JOB_MAX_AGE = Duration.minutes(15);

/** The newest Parameters and Secrets Lambda Extension release this aws-cdk-lib knows. */
export const SECRETS_EXTENSION_VERSION = ParamsAndSecretsVersions.V1_0_103;

/** Environment names that would hold a secret; those live in Secrets Manager, never in a function's env. */
const SECRET_ENV_NAME = /(_TOKEN|_SECRET)$/;

export interface BotFunctionProps {
  /** Which bot: its descriptor names the entry, the bundling and where the secret's ARN goes. */
  readonly bot: PlatformDescriptor;
  /** The community table; the function may only put, get and query it. */
  readonly table: ITable;
  /** The table's customer-managed key: the function may use it through DynamoDB only. */
  readonly tableKey: IKey;
  /** This bot's own secret (JSON of its tokens); the function may read only this one, and only if its handler needs it. */
  readonly secret: ISecret;
  /** The key of opaque member ids (`MEMBER_KEY`), shared by every bot: each reads it on its first event. */
  readonly membersSecret: ISecret;
  /** Non-secret settings (platform ids). Names ending in _TOKEN or _SECRET are refused. */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * The outbox worker (infra/outbox-worker.ts), which the bot wakes when something it enqueued is due now:
   * its name goes in OUTBOX_FUNCTION_NAME, and the bot may invoke it (and only it, besides itself).
   */
  readonly outboxWorker?: IFunction;
}

/**
 * One bot's Lambda: the bundled handler, its log group, and a role that can write those logs, use the
 * table (and its key, through DynamoDB), read the bot's own secret and the member key, and invoke itself
 * and the outbox worker, nothing more.
 */
export class BotFunction extends Construct {
  /** The function, for the API integration. */
  readonly function: LambdaFunction;
  /** Where the function logs (one month retention). */
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: BotFunctionProps) {
    super(scope, id);
    const { bot, table, secret } = props;
    const { platform } = bot;
    assertNoSecretInEnvironment(props.environment);

    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });
    // An own role instead of AWSLambdaBasicExecutionRole: that managed policy may write to any log group.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${platform} bot`,
    });
    this.logGroup.grantWrite(role);
    for (const statement of tableAccessStatements(this, table, props.tableKey)) role.addToPolicy(statement);
    const readsSecret = bot.secret.readByHandler;
    // GetSecretValue only: the secrets extension reads the value with this role and never describes it.
    // A handler that needs no secret (Discord's, today) gets no grant and no ARN at all.
    const secrets = [props.membersSecret.secretArn, ...(readsSecret ? [secret.secretArn] : [])];
    role.addToPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: secrets }));

    this.function = new LambdaFunction(this, 'Function', {
      description: `Community bot: ${platform} webhook`,
      // infra/bundling.ts: esbuild with code splitting; the entry is index.mjs.
      code: botCode(bot),
      handler: 'index.handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(10),
      role,
      logGroup: this.logGroup,
      // The AWS Parameters and Secrets Lambda Extension: the handler reads its secret over loopback
      // (shared/lambda/secrets.ts) instead of bundling and loading a Secrets Manager client.
      paramsAndSecrets: ParamsAndSecretsLayerVersion.fromVersion(SECRETS_EXTENSION_VERSION),
      environment: {
        TABLE_NAME: table.tableName,
        MEMBERS_SECRET_ARN: props.membersSecret.secretArn,
        ...(readsSecret ? { [bot.secret.arnVariable]: secret.secretArn } : {}),
        ...(props.outboxWorker ? { OUTBOX_FUNCTION_NAME: props.outboxWorker.functionName } : {}),
        ...props.environment,
      },
    });
    // Later jobs (shared/lambda/later-queue.ts): the function invokes itself asynchronously; and it wakes the
    // outbox worker (shared/lambda/wake.ts). A separate policy, not the role's default one: the function
    // depends on that, and this one names the function.
    const invoked = [this.function, ...(props.outboxWorker ? [props.outboxWorker] : [])];
    new Policy(this, 'InvokeSelf', {
      roles: [role],
      statements: [
        new PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: invoked.map((fn) => fn.functionArn),
        }),
      ],
    });
    this.function.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: LATER_JOB_MAX_AGE });
  }
}

export function assertNoSecretInEnvironment(environment: Readonly<Record<string, string>>): void {
  const secretNames = Object.keys(environment).filter((name) => SECRET_ENV_NAME.test(name));
  if (secretNames.length > 0) {
    throw new Error(
      `Secrets belong in Secrets Manager, not in Lambda environment: ${secretNames.join(', ')}`,
    );
  }
}
