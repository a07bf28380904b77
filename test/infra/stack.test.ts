import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, type PolicyValidationPluginReport, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordPlatform } from '../../bots/discord/platform.js';
import { slackPlatform } from '../../bots/slack/platform.js';
import { BOT_TABLE_ACTIONS, BotFunction, TABLE_KEY_ACTIONS } from '../../infra/bot-function.js';
import { BOT_ALIASES, BOT_BUNDLE, esbuildOptions, UNUSED_MODULE_STUB } from '../../infra/bundling.js';
import { CommunityStack } from '../../infra/community-stack.js';
import { type OutboxWorker, outboxWorkerBundling, WORKER_TABLE_ACTIONS } from '../../infra/outbox-worker.js';
import { descriptorOf, PLATFORM_DESCRIPTORS } from '../../infra/platforms.js';
import {
  INSTALL_LEADING_KEYS,
  INSTALL_TABLE_ACTIONS,
  type SlackInstallFunction,
} from '../../infra/slack-install-function.js';
import { EXTENSION_DEFAULT_PORT } from '../../shared/lambda/secrets.js';
import { SCHEDULED_EVENT } from '../../shared/lambda/wake.js';
import { TABLE } from '../../shared/store/table.js';

type Resources = Record<string, { Properties: Record<string, unknown>; Metadata?: Record<string, unknown> }>;

/** What the CDK sets for the Parameters and Secrets extension on a function that has it. */
const EXTENSION_ENV = [
  'PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED',
  'PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE',
  'PARAMETERS_SECRETS_EXTENSION_HTTP_PORT',
  'PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL',
  'PARAMETERS_SECRETS_EXTENSION_MAX_CONNECTIONS',
  'SECRETS_MANAGER_TIMEOUT_MILLIS',
  'SECRETS_MANAGER_TTL',
  'SSM_PARAMETER_STORE_TIMEOUT_MILLIS',
  'SSM_PARAMETER_STORE_TTL',
];

const BOTS = [
  {
    platform: 'slack',
    route: 'POST /slack/events',
    env: [
      'TABLE_NAME',
      'MEMBERS_SECRET_ARN',
      'SLACK_SECRET_ARN',
      'OUTBOX_FUNCTION_NAME',
      'SLACK_BOT_ID',
      'SLACK_BOT_USER_ID',
      'SPACES_MODE',
      ...EXTENSION_ENV,
    ],
    // The installation flow's secrets live beside the bot's.
    secretKeys: ['SLACK_BOT_TOKEN', 'SLACK_CLIENT_SECRET', 'SLACK_SIGNING_SECRET', 'SLACK_STATE_SECRET'],
    secretsExtension: true,
  },
  {
    platform: 'discord',
    route: 'POST /discord/interactions',
    env: [
      'TABLE_NAME',
      'MEMBERS_SECRET_ARN',
      'DISCORD_SECRET_ARN',
      'OUTBOX_FUNCTION_NAME',
      'DISCORD_APPLICATION_ID',
      'DISCORD_PUBLIC_KEY',
      'SPACES_MODE',
      ...EXTENSION_ENV,
    ],
    secretKeys: ['DISCORD_BOT_TOKEN'],
    // The handler reads its bot token on the first REST call (DMs, posts, member lookups), not at start.
    secretsExtension: true,
  },
  {
    platform: 'telegram',
    route: 'POST /telegram/webhook',
    env: [
      'TABLE_NAME',
      'MEMBERS_SECRET_ARN',
      'TELEGRAM_SECRET_ARN',
      'OUTBOX_FUNCTION_NAME',
      'TELEGRAM_BOT_USERNAME',
      'SPACES_MODE',
      ...EXTENSION_ENV,
    ],
    secretKeys: ['TELEGRAM_BOT_TOKEN', 'TELEGRAM_SECRET_TOKEN'],
    secretsExtension: true,
  },
] as const;

// One synthesis for the file: it bundles the three real handlers with the local esbuild.
let outdir: string;
let app: App;
let stack: CommunityStack;
let template: Template;
let nagReport: PolicyValidationPluginReport;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'community-stack-'));
  app = new App({ outdir });
  stack = new CommunityStack(app, 'CommunityBots');
  template = Template.fromStack(stack);
  nagReport = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(app);
});

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});

/** The bot's function resource, by the logical id of its construct (`<Platform>Bot`). */
function botFunction(platform: string): { logicalId: string; properties: Record<string, unknown> } {
  const bot = stack.node.findChild(
    `${platform.charAt(0).toUpperCase()}${platform.slice(1)}Bot`,
  ) as BotFunction;
  const logicalId = stack.getLogicalId(bot.function.node.defaultChild as CfnElement);
  const resource = (template.findResources('AWS::Lambda::Function') as Resources)[logicalId];
  if (!resource) throw new Error(`No function for ${platform}`);
  return { logicalId, properties: resource.Properties };
}

/** The outbox worker's function resource. */
function workerFunction(): { logicalId: string; properties: Record<string, unknown> } {
  const worker = stack.node.findChild('Outbox') as OutboxWorker;
  const logicalId = stack.getLogicalId(worker.function.node.defaultChild as CfnElement);
  const resource = (template.findResources('AWS::Lambda::Function') as Resources)[logicalId];
  if (!resource) throw new Error('No outbox worker function');
  return { logicalId, properties: resource.Properties };
}

/** The statements of every policy attached to a role. */
function roleStatements(roleId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleId }] },
  }) as Resources;
  return Object.values(policies).flatMap(statementsOf);
}

/** The Slack installation function's resource and its role's policy statements. */
function installFunction(): {
  logicalId: string;
  properties: Record<string, unknown>;
  statements: Statement[];
} {
  const install = stack.node.findChild('SlackInstall') as SlackInstallFunction;
  const logicalId = stack.getLogicalId(install.function.node.defaultChild as CfnElement);
  const resource = (template.findResources('AWS::Lambda::Function') as Resources)[logicalId];
  if (!resource) throw new Error('No installation function');
  const roleId = getAttOf(resource.Properties.Role);
  const policies = Object.values(
    template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }) as Resources,
  );
  return { logicalId, properties: resource.Properties, statements: policies.flatMap(statementsOf) };
}

/** The logical id of the member key's secret (shared by the three bots). */
function membersSecretId(): string {
  const found = Object.keys(
    template.findResources('AWS::SecretsManager::Secret', {
      Properties: { GenerateSecretString: { GenerateStringKey: 'MEMBER_KEY' } },
    }),
  );
  if (found.length !== 1) throw new Error('expected one member key secret');
  return found[0] as string;
}

/** The logical id of the table's key. */
function tableKeyId(): string {
  const [id, ...others] = Object.keys(template.findResources('AWS::KMS::Key'));
  if (!id || others.length > 0) throw new Error('expected one KMS key');
  return id;
}

type Statement = { Action: unknown; Resource: unknown; Condition?: unknown };

function statementsOf(policy: Resources[string] | undefined): Statement[] {
  if (!policy) throw new Error('No policy');
  return (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
}

function refOf(value: unknown): string {
  return (value as { Ref: string }).Ref;
}

function getAttOf(value: unknown): string {
  return (value as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
}

describe('table', () => {
  it('has the keys, indexes and TTL of shared/store/table.ts, on demand, with PITR', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: TABLE.timeToLiveAttribute, Enabled: true },
      GlobalSecondaryIndexes: [
        {
          IndexName: TABLE.indexes.byDay.name,
          KeySchema: [
            { AttributeName: TABLE.indexes.byDay.partitionKey, KeyType: 'HASH' },
            { AttributeName: TABLE.indexes.byDay.sortKey, KeyType: 'RANGE' },
          ],
          Projection: {
            ProjectionType: 'INCLUDE',
            NonKeyAttributes: [...TABLE.indexes.byDay.nonKeyAttributes],
          },
        },
        {
          // One member's records in a space: keys only (what `me` counts and `forget` erases).
          IndexName: TABLE.indexes.byMember.name,
          KeySchema: [
            { AttributeName: TABLE.indexes.byMember.partitionKey, KeyType: 'HASH' },
            { AttributeName: TABLE.indexes.byMember.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    });
  });

  it('is encrypted at rest with a customer-managed key of its own, rotated yearly and retained with it', () => {
    const keyId = tableKeyId();

    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      },
    });
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('is retained and protected from deletion by default', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
  });

  it('drops deletion protection with the context deletionProtection=false', () => {
    // Prepare: a throwaway app; skipping bundling keeps this synthesis cheap.
    const throwaway = new App({ context: { deletionProtection: 'false', 'aws:cdk:bundling-stacks': [] } });

    // Act
    const stack = new CommunityStack(throwaway, 'Throwaway');

    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::DynamoDB::Table', {
      DeletionProtectionEnabled: false,
    });
  });
});

describe('functions', () => {
  it('runs three bots and the Slack installation flow on nodejs24.x, arm64, 512 MB, 10 s', () => {
    // And the outbox worker (below).
    template.resourceCountIs('AWS::Lambda::Function', 5);
    for (const properties of [
      ...BOTS.map(({ platform }) => botFunction(platform).properties),
      installFunction().properties,
    ]) {
      expect(properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: 512,
        Timeout: 10,
        Handler: 'index.handler',
      });
    }
  });

  it('logs each bot to its own log group kept for one month', () => {
    const logGroups = template.findResources('AWS::Logs::LogGroup') as Resources;
    const used = BOTS.map(({ platform }) => {
      const config = botFunction(platform).properties.LoggingConfig as { LogGroup: unknown };
      return refOf(config.LogGroup);
    });

    expect(new Set(used).size).toBe(3);
    for (const id of used) expect(logGroups[id]?.Properties.RetentionInDays).toBe(30);
  });

  it('gets the table name, the member key secret ARN, its own secret ARN if it reads one, the non-secret ids, and no secret value', () => {
    for (const { platform, env, secretsExtension } of BOTS) {
      const variables = (
        botFunction(platform).properties.Environment as { Variables: Record<string, unknown> }
      ).Variables;

      expect(Object.keys(variables).sort()).toEqual([...env].sort());
      // One member key for the three bots: the same person gets the same id whichever bot records them.
      expect(refOf(variables.MEMBERS_SECRET_ARN)).toBe(membersSecretId());
      expect(Object.keys(variables).filter((name) => /(_TOKEN|_SIGNING_SECRET)$/.test(name))).toEqual([]);
      if (!secretsExtension) continue;
      const secretArn = refOf(variables[`${platform.toUpperCase()}_SECRET_ARN`]);
      expect(secretArn).toMatch(new RegExp(`^${platform.charAt(0).toUpperCase()}${platform.slice(1)}Secret`));
    }
  });

  it('runs the Parameters and Secrets extension where the handler reads its secret, on its default port', () => {
    const mappings = template.toJSON().Mappings as Record<string, Record<string, Record<string, string>>>;
    for (const { platform, secretsExtension } of BOTS) {
      const { properties } = botFunction(platform);
      const layers = (properties.Layers ?? []) as { 'Fn::FindInMap': [string, unknown, string] }[];
      const variables = (properties.Environment as { Variables: Record<string, unknown> }).Variables;

      if (!secretsExtension) {
        expect(layers).toEqual([]);
        continue;
      }
      expect(layers).toHaveLength(1);
      const [mapName, , version] = layers[0]?.['Fn::FindInMap'] ?? [];
      expect(version).toBe('1x0x103xarm64');
      expect(mappings[mapName as string]?.['eu-west-1']?.[version as string]).toMatch(
        /^arn:aws:lambda:eu-west-1:\d+:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:\d+$/,
      );
      expect(variables.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT).toBe(String(EXTENSION_DEFAULT_PORT));
    }
  });

  it('refuses a token in a bot environment', () => {
    // Prepare
    const stack = new Stack(new App(), 'Refuses');
    const table = new Table(stack, 'T', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
    const secret = new Secret(stack, 'S');

    // Act
    const build = () =>
      new BotFunction(stack, 'Bot', {
        bot: slackPlatform,
        table,
        tableKey: new Key(stack, 'K'),
        secret,
        membersSecret: new Secret(stack, 'M'),
        environment: { SLACK_BOT_TOKEN: 'x' },
      });

    // Assess
    expect(build).toThrow(/SLACK_BOT_TOKEN/);
  });
});

describe('permissions', () => {
  it('allows exactly the bot table actions on the table and its two indexes, no Scan', () => {
    const tableId = Object.keys(template.findResources('AWS::DynamoDB::Table'))[0];
    const otherRoles = [installFunction(), workerFunction()].map(({ properties }) =>
      getAttOf(properties.Role),
    );
    const policies = Object.values(template.findResources('AWS::IAM::Policy') as Resources).filter(
      (policy) =>
        !JSON.stringify(policy).includes('lambda:InvokeFunction') &&
        !otherRoles.some((role) => JSON.stringify(policy.Properties.Roles).includes(role)),
    );
    expect(policies).toHaveLength(3);
    expect(BOT_TABLE_ACTIONS).not.toContain('dynamodb:Scan');

    for (const policy of policies) {
      const statements = statementsOf(policy);
      const dynamo = statements.filter((s) =>
        [s.Action].flat().some((a) => String(a).startsWith('dynamodb:')),
      );
      expect(dynamo).toHaveLength(1);
      // Batch writes only because an erasure deletes a member's records by the thousand.
      expect(dynamo[0]?.Action).toEqual([
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:Query',
      ]);
      expect(dynamo[0]?.Resource).toEqual([
        { 'Fn::GetAtt': [tableId, 'Arn'] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/index/byDay']] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/index/byMember']] },
      ]);
    }
  });

  it('lets each bot read only the member key and its own secret (if it needs one) and write only its own logs, no wildcard', () => {
    for (const { platform, secretsExtension } of BOTS) {
      const { properties } = botFunction(platform);
      const roleId = getAttOf(properties.Role);
      const policies = template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: roleId }] },
      }) as Resources;
      const [policy, ...others] = Object.values(policies).sort((a, b) =>
        JSON.stringify(a).includes('lambda:InvokeFunction')
          ? 1
          : JSON.stringify(b).includes('lambda:InvokeFunction')
            ? -1
            : 0,
      );
      const statements = statementsOf(policy);
      // The second policy lets the function hand later jobs to itself and wake the outbox worker, nothing else.
      expect(others).toHaveLength(1);
      expect(statementsOf(others[0])).toEqual([
        {
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: [
            { 'Fn::GetAtt': [botFunction(platform).logicalId, 'Arn'] },
            { 'Fn::GetAtt': [workerFunction().logicalId, 'Arn'] },
          ],
        },
      ]);
      const secretRead = statements.find((s) => s.Action === 'secretsmanager:GetSecretValue');
      const logWrite = statements.find((s) => [s.Action].flat().includes('logs:PutLogEvents'));
      const keyUse = statements.find((s) => [s.Action].flat().includes('kms:Decrypt'));
      const variables = (properties.Environment as { Variables: Record<string, unknown> }).Variables;

      expect(statements).toHaveLength(4);
      expect(keyUse).toEqual(tableKeyStatement());
      // Every bot reads the member key on its first event; its own secret only if its handler needs it.
      expect(secretRead?.Resource).toEqual([
        { Ref: membersSecretId() },
        ...(secretsExtension ? [variables[`${platform.toUpperCase()}_SECRET_ARN`]] : []),
      ]);
      expect(getAttOf(logWrite?.Resource)).toBe(
        refOf((properties.LoggingConfig as { LogGroup: unknown }).LogGroup),
      );
      expect(JSON.stringify(statements)).not.toContain('*');
    }
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });
});

/** What every function that uses the table may do with its key: DynamoDB's calls on its behalf, nothing else. */
function tableKeyStatement() {
  return {
    Effect: 'Allow',
    Action: [...TABLE_KEY_ACTIONS],
    Resource: { 'Fn::GetAtt': [tableKeyId(), 'Arn'] },
    Condition: {
      StringEquals: {
        'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
      },
    },
  };
}

describe('the Slack installation function', () => {
  it('may put, get, update and delete only Slack space and claim items, use the key, read the Slack secret, log', () => {
    const { statements, properties } = installFunction();
    const tableId = Object.keys(template.findResources('AWS::DynamoDB::Table'))[0];
    const slackSecret = refOf(botFunctionVariables('slack').SLACK_SECRET_ARN);
    const variables = (properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const logWrite = statements.find((s) => [s.Action].flat().includes('logs:PutLogEvents'));

    expect(statements).toHaveLength(4);
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: [...INSTALL_TABLE_ACTIONS],
      Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...INSTALL_LEADING_KEYS] } },
    });
    expect(statements).toContainEqual(tableKeyStatement());
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: { Ref: slackSecret },
    });
    expect(getAttOf(logWrite?.Resource)).toBe(
      refOf((properties.LoggingConfig as { LogGroup: unknown }).LogGroup),
    );
    // Nothing to invoke, no query or scan, no index, no other secret.
    expect(JSON.stringify(statements)).not.toMatch(/lambda:|dynamodb:(Query|Scan|Batch)|\/index\//);
    expect(refOf(variables.SLACK_SECRET_ARN)).toBe(slackSecret);
  });

  it('gets the table, the Slack secret ARN, its client id, its redirect URL and SPACES_MODE, no secret value', () => {
    const variables = (installFunction().properties.Environment as { Variables: Record<string, unknown> })
      .Variables;

    expect(Object.keys(variables).sort()).toEqual(
      [
        'TABLE_NAME',
        'SLACK_SECRET_ARN',
        'SLACK_CLIENT_ID',
        'SLACK_REDIRECT_URI',
        'SPACES_MODE',
        ...EXTENSION_ENV,
      ].sort(),
    );
    expect(variables.SLACK_CLIENT_ID).toEqual({ Ref: 'SlackClientId' });
    expect(JSON.stringify(variables.SLACK_REDIRECT_URI)).toContain('/slack/oauth_redirect');
  });

  it('serves GET /slack/install and GET /slack/oauth_redirect, and gives both URLs as outputs', () => {
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration') as Resources;
    for (const route of ['GET /slack/install', 'GET /slack/oauth_redirect']) {
      const found = Object.values(
        template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: route } }) as Resources,
      );
      const target = found[0]?.Properties.Target as { 'Fn::Join': [string, [string, unknown]] };

      expect(found).toHaveLength(1);
      expect(integrations[refOf(target['Fn::Join'][1][1])]?.Properties).toMatchObject({
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [installFunction().logicalId, 'Arn'] },
      });
    }
    template.hasOutput('SlackOauthRedirectUrl', {
      Value: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('slack/oauth_redirect$')])] },
    });
  });
});

describe('spaces mode', () => {
  // The outbox worker serves no space: it sends what the bots enqueued, and has no SPACES_MODE.
  const modesIn = (resources: Resources) =>
    Object.entries(resources)
      .filter(([logicalId]) => !logicalId.startsWith('OutboxFunction'))
      .map(
        ([, fn]) =>
          (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.SPACES_MODE,
      );
  const modeOf = (context: Record<string, unknown>) => {
    const throwaway = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
    return modesIn(
      Template.fromStack(new CommunityStack(throwaway, 'Modes')).findResources(
        'AWS::Lambda::Function',
      ) as Resources,
    );
  };

  it('sets SPACES_MODE on every function that serves spaces: approved by default, open when the context says so', () => {
    expect(modesIn(template.findResources('AWS::Lambda::Function') as Resources)).toEqual([
      'approved',
      'approved',
      'approved',
      'approved',
    ]);
    expect(
      (workerFunction().properties.Environment as { Variables: Record<string, unknown> }).Variables,
    ).not.toHaveProperty('SPACES_MODE');
    expect(modeOf({ spacesMode: 'open' })).toEqual(['open', 'open', 'open', 'open']);
  });

  it('fails the synth on a spacesMode that does not exist, naming the ones that do', () => {
    expect(() => modeOf({ spacesMode: 'opne' })).toThrow(/spacesMode must be one of open, approved.*"opne"/);
  });
});

function botFunctionVariables(platform: string): Record<string, unknown> {
  return (botFunction(platform).properties.Environment as { Variables: Record<string, unknown> }).Variables;
}

describe('later jobs', () => {
  it('retries a failed later job twice, within the 15 minutes an interaction can still be answered', () => {
    for (const { platform } of BOTS) {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: botFunction(platform).logicalId },
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 900,
      });
    }
  });
});

describe('nightly rollups', () => {
  it('invokes one bot function at 00:30 UTC every day with the rollup job, retried twice, and may invoke it', () => {
    const rules = template.findResources('AWS::Events::Rule');
    expect(Object.values(rules)).toHaveLength(1);
    const rule = Object.values(rules)[0]?.Properties as {
      ScheduleExpression: string;
      Targets: { Arn: unknown; Input: string; RetryPolicy: { MaximumRetryAttempts: number } }[];
    };
    expect(rule.ScheduleExpression).toBe('cron(30 0 * * ? *)');
    expect(rule.Targets).toHaveLength(1);
    const target = rule.Targets[0] as (typeof rule.Targets)[number];
    expect(JSON.parse(target.Input)).toEqual({ source: 'community.later', rollup: {} });
    expect(target.RetryPolicy.MaximumRetryAttempts).toBe(2);
    const targetId = (target.Arn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(BOTS.map(({ platform }) => botFunction(platform).logicalId)).toContain(targetId);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [targetId, 'Arn'] },
      Principal: 'events.amazonaws.com',
    });
  });
});

describe('the outbox worker', () => {
  const variablesOf = (properties: Record<string, unknown>) =>
    (properties.Environment as { Variables: Record<string, unknown> }).Variables;

  it('runs on nodejs24.x, arm64, 512 MB, 75 s (a run drains 55 s at most), its failed runs not retried', () => {
    const { properties, logicalId } = workerFunction();

    expect(properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 75,
      Handler: 'index.handler',
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
    });
  });

  it("gets the table name, the three bots' secret ARNs, the member key's ARN (digests) and their non-secret ids", () => {
    const variables = variablesOf(workerFunction().properties);

    expect(Object.keys(variables).sort()).toEqual(
      [
        'TABLE_NAME',
        'MEMBERS_SECRET_ARN',
        'SLACK_SECRET_ARN',
        'DISCORD_SECRET_ARN',
        'TELEGRAM_SECRET_ARN',
        'SLACK_BOT_ID',
        'SLACK_BOT_USER_ID',
        'DISCORD_APPLICATION_ID',
        'DISCORD_PUBLIC_KEY',
        'TELEGRAM_BOT_USERNAME',
        ...EXTENSION_ENV,
      ].sort(),
    );
    for (const { platform } of BOTS) {
      const name = `${platform.toUpperCase()}_SECRET_ARN`;
      expect(variables[name]).toEqual(botFunctionVariables(platform)[name]);
    }
    expect(refOf(variables.MEMBERS_SECRET_ARN)).toBe(membersSecretId());
  });

  it('may use the table and its indexes, the key through DynamoDB, read the bot and member-key secrets, write its logs: nothing else', () => {
    const { properties } = workerFunction();
    const statements = roleStatements(getAttOf(properties.Role));
    const tableId = Object.keys(template.findResources('AWS::DynamoDB::Table'))[0];
    const logGroup = refOf((properties.LoggingConfig as { LogGroup: unknown }).LogGroup);

    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] },
      },
      {
        Effect: 'Allow',
        // No batch write, no scan: the worker updates messages and the lease, puts spends and posts; its only
        // delete is an opted-out member's digest subscription.
        Action: [
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:Query',
          'dynamodb:DeleteItem',
        ],
        Resource: [
          { 'Fn::GetAtt': [tableId, 'Arn'] },
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/index/byMember']] },
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/index/byDay']] },
        ],
      },
      tableKeyStatement(),
      {
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: [
          ...BOTS.map(
            ({ platform }) => botFunctionVariables(platform)[`${platform.toUpperCase()}_SECRET_ARN`],
          ),
          { Ref: membersSecretId() },
        ],
      },
    ]);
    expect(WORKER_TABLE_ACTIONS).not.toContain('dynamodb:Scan');
  });

  it('is woken by every bot: OUTBOX_FUNCTION_NAME names it', () => {
    for (const { platform } of BOTS) {
      expect(botFunctionVariables(platform).OUTBOX_FUNCTION_NAME).toEqual({
        Ref: workerFunction().logicalId,
      });
    }
  });

  it('runs every minute from an EventBridge Scheduler schedule whose role may invoke it and nothing else', () => {
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule') as Resources);
    expect(schedules).toHaveLength(1);
    const properties = schedules[0]?.Properties as {
      ScheduleExpression: string;
      FlexibleTimeWindow: unknown;
      Target: { Arn: unknown; Input: string; RetryPolicy: unknown; RoleArn: unknown };
    };

    expect(properties.ScheduleExpression).toBe('rate(1 minute)');
    expect(properties.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
    expect(properties.Target.Arn).toEqual({ 'Fn::GetAtt': [workerFunction().logicalId, 'Arn'] });
    expect(JSON.parse(properties.Target.Input)).toEqual(SCHEDULED_EVENT);
    expect(properties.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 });
    const roleId = getAttOf(properties.Target.RoleArn);
    expect(roleStatements(roleId)).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::GetAtt': [workerFunction().logicalId, 'Arn'] },
      },
    ]);
    const role = (template.findResources('AWS::IAM::Role') as Resources)[roleId];
    expect(JSON.stringify(role?.Properties.AssumeRolePolicyDocument)).toContain('scheduler.amazonaws.com');
  });

  it('counts the log lines of failed messages and alarms at one in five minutes, on a topic ops subscribe to', () => {
    const logGroup = refOf((workerFunction().properties.LoggingConfig as { LogGroup: unknown }).LogGroup);
    const filters = Object.values(template.findResources('AWS::Logs::MetricFilter') as Resources);
    expect(filters).toHaveLength(1);
    const filter = filters[0]?.Properties as {
      FilterPattern: string;
      LogGroupName: unknown;
      MetricTransformations: { MetricName: string; MetricNamespace: string; MetricValue: string }[];
    };
    expect(filter.FilterPattern).toBe('{ $.code = "outbox_failed" }');
    expect(filter.LogGroupName).toEqual({ Ref: logGroup });
    const [metric] = filter.MetricTransformations;

    const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
    expect(topics).toHaveLength(1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: metric?.MetricName,
      Namespace: metric?.MetricNamespace,
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topics[0] }],
    });
    template.hasOutput('OutboxAlarmTopicArn', { Value: { Ref: topics[0] } });
  });
});

describe('http api', () => {
  it('routes POST on each webhook path to its bot with payload format 2.0', () => {
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration') as Resources;
    for (const { platform, route } of BOTS) {
      const routes = template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: route } });
      const [found] = Object.values(routes) as Resources[string][];
      // Target is `integrations/<integration id>`, built with Fn::Join.
      const target = found?.Properties.Target as { 'Fn::Join': [string, [string, unknown]] };
      const integration = integrations[refOf(target['Fn::Join'][1][1])];

      expect(Object.keys(routes)).toHaveLength(1);
      expect(integration?.Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [botFunction(platform).logicalId, 'Arn'] },
      });
    }
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 5);
  });

  it('throttles and access-logs the $default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
    });
  });
});

describe('secrets', () => {
  it('holds one JSON secret per bot, and the member key, with exactly the keys its handler reads', () => {
    const secrets = Object.values(template.findResources('AWS::SecretsManager::Secret') as Resources);
    const keySets = secrets.map(({ Properties }) => {
      const generate = Properties.GenerateSecretString as {
        SecretStringTemplate: string;
        GenerateStringKey: string;
      };
      const placeholders = JSON.parse(generate.SecretStringTemplate) as Record<string, string>;
      expect(Object.values(placeholders).every((value) => value === 'set-me')).toBe(true);
      return [...Object.keys(placeholders), generate.GenerateStringKey].sort();
    });

    expect(keySets.sort()).toEqual([...BOTS.map(({ secretKeys }) => [...secretKeys]), ['MEMBER_KEY']].sort());
    for (const { Properties } of secrets) expect(Properties).not.toHaveProperty('SecretString');
  });

  it("generates Telegram's webhook secret token: 64 letters and digits", () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({
        GenerateStringKey: 'TELEGRAM_SECRET_TOKEN',
        PasswordLength: 64,
        ExcludePunctuation: true,
        IncludeSpace: false,
      }),
    });
  });
});

describe('the member key', () => {
  it('is generated (64 letters and digits, seen by nobody) and retained: without it no record matches a member again', () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: Match.objectLike({
        GenerateSecretString: {
          SecretStringTemplate: '{}',
          GenerateStringKey: 'MEMBER_KEY',
          PasswordLength: 64,
          ExcludePunctuation: true,
          IncludeSpace: false,
        },
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });
});

describe('outputs', () => {
  it('gives ops the webhook URLs, the table name and the secret ARNs', () => {
    const outputs = Object.keys(template.findOutputs('*'));
    expect(outputs.sort()).toEqual(
      [
        'SlackEventsUrl',
        'SlackInstallUrl',
        'SlackOauthRedirectUrl',
        'DiscordInteractionsUrl',
        'TelegramWebhookUrl',
        'TableName',
        'OutboxAlarmTopicArn',
        'OutboxFailedAlarmName',
        'SlackSecretArn',
        'DiscordSecretArn',
        'TelegramSecretArn',
      ].sort(),
    );
    template.hasOutput('TelegramWebhookUrl', {
      Value: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('/telegram/webhook$')])] },
    });
  });

  it('asks for the non-secret ids as parameters; the Slack ones may stay empty (many workspaces)', () => {
    const parameters = Object.keys(template.findParameters('*')).filter(
      (name) => name !== 'BootstrapVersion',
    );
    for (const id of ['SlackBotId', 'SlackBotUserId', 'SlackClientId']) {
      template.hasParameter(id, { Type: 'String', Default: '' });
    }
    template.hasParameter('DiscordApplicationId', { Default: Match.absent() });
    expect(parameters.sort()).toEqual(
      [
        'SlackBotId',
        'SlackBotUserId',
        'SlackClientId',
        'DiscordApplicationId',
        'DiscordPublicKey',
        'TelegramBotUsername',
      ].sort(),
    );
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged error or warning', () => {
    const findings = nagReport.violations
      .filter((v) => v.severity === 'error' || v.severity === 'warning')
      .map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
  });

  it('acknowledges only APIG4 on the five routes, SMG4 on the four secrets and SNS2 on the alarm topic, each with a reason', () => {
    const acknowledged = app.node.findAll().flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
        .map(([id, reason]) => ({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason })),
    );

    expect(acknowledged.map(({ path, id }) => `${id} ${path}`).sort()).toEqual(
      [
        'AwsSolutions-APIG4 CommunityBots/Api/POST--discord--interactions',
        'AwsSolutions-APIG4 CommunityBots/Api/POST--slack--events',
        'AwsSolutions-APIG4 CommunityBots/Api/GET--slack--install',
        'AwsSolutions-APIG4 CommunityBots/Api/GET--slack--oauth_redirect',
        'AwsSolutions-APIG4 CommunityBots/Api/POST--telegram--webhook',
        'AwsSolutions-SMG4 CommunityBots/DiscordSecret',
        'AwsSolutions-SMG4 CommunityBots/MembersSecret',
        'AwsSolutions-SMG4 CommunityBots/SlackSecret',
        'AwsSolutions-SMG4 CommunityBots/TelegramSecret',
        'AwsSolutions-SNS2 CommunityBots/Outbox/AlarmTopic',
      ].sort(),
    );
    for (const { reason } of acknowledged) expect(reason.length).toBeGreaterThan(40);
  });
});

describe('bundling', () => {
  it('bundles ESM with code splitting, the entry as index.mjs, nothing external', () => {
    const options = esbuildOptions(slackPlatform, 'bots/slack/handler.ts', 'out/slack');

    expect(options).toMatchObject({
      entryPoints: { index: 'bots/slack/handler.ts' },
      outdir: 'out/slack',
      outExtension: { '.js': '.mjs' },
      splitting: true,
      bundle: true,
      platform: 'node',
      format: 'esm',
      minify: true,
      sourcemap: false,
      banner: { js: BOT_BUNDLE.banner },
      external: [],
    });
  });

  it('stubs Bolt-only modules for Slack, discord-api-types for Discord, and the same few for every bot', () => {
    const common = Object.keys(BOT_ALIASES).sort();
    const aliased = (platform: 'slack' | 'discord' | 'telegram') =>
      Object.keys(esbuildOptions(descriptorOf(platform), 'e', 'o').alias ?? {}).sort();

    expect(common).toEqual(['@aws-sdk/credential-provider-node', 'http', 'node:http']);
    expect(aliased('slack')).toEqual(
      [
        ...common,
        '@slack/oauth',
        '@slack/socket-mode',
        '@slack/types',
        'express',
        'path-to-regexp',
        'raw-body',
      ].sort(),
    );
    expect(aliased('discord')).toEqual(
      [
        ...common,
        '@vladfrangu/async_event_emitter',
        'discord-api-types/payloads/v10',
        'discord-api-types/v10',
        'magic-bytes.js',
        'undici',
      ].sort(),
    );
    expect(aliased('telegram')).toEqual(common);
    for (const path of Object.values(esbuildOptions(discordPlatform, 'e', 'o').alias ?? {})) {
      expect(existsSync(path)).toBe(true);
    }
    expect(existsSync(UNUSED_MODULE_STUB)).toBe(true);
  });

  it("bundles the outbox worker with every bot's replacements: it carries the three transports", () => {
    const aliases = (bundling: Parameters<typeof esbuildOptions>[0]) =>
      Object.keys(esbuildOptions(bundling, 'e', 'o').alias ?? {}).sort();

    expect(aliases({ bundling: outboxWorkerBundling(PLATFORM_DESCRIPTORS) })).toEqual(
      [...new Set(PLATFORM_DESCRIPTORS.flatMap((bot) => aliases(bot)))].sort(),
    );
  });

  it('deploys a Slack ESM bundle in chunks, without express or undici', () => {
    // The code's S3 key is `<asset hash>.zip`; the assembly keeps the bundle in `asset.<asset hash>/`.
    const code = botFunction('slack').properties.Code as { S3Key: string };
    const assetPath = join(outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
    const entry = readFileSync(join(assetPath, 'index.mjs'), 'utf8');
    const chunks = readdirSync(join(assetPath, 'chunks'));
    const all = [entry, ...chunks.map((chunk) => readFileSync(join(assetPath, 'chunks', chunk), 'utf8'))];

    expect(entry.startsWith(BOT_BUNDLE.banner)).toBe(true);
    expect(chunks.length).toBeGreaterThan(0);
    expect(all.join('\n')).toContain("this bot's descriptor lists it as unused at run time");
    expect(all.join('\n')).not.toContain('undici');
    expect(all.join('\n')).not.toMatch(/x-powered-by/i);
  });

  it('makes every export of the stub throw when called or constructed, but not when read', () => {
    // Prepare
    const stub = createRequire(import.meta.url)(UNUSED_MODULE_STUB);

    // Act
    const client = stub.SocketModeClient;

    // Assess
    expect(stub.__esModule).toBeUndefined();
    expect(() => new client()).toThrow(
      /SocketModeClient is not bundled: this bot's descriptor lists it as unused/,
    );
    expect(() => stub()).toThrow(/This module is not bundled/);
    expect(() => stub.Router.use()).toThrow(/Router\.use is not bundled/);
  });
});
