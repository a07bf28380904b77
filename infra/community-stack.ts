import { CfnOutput, CfnParameter, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaFunctionTarget } from 'aws-cdk-lib/aws-events-targets';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { slackInstall } from '../bots/slack/oauth/platform.js';
import { SPACES_MODES, type SpacesMode } from '../shared/core/communities/model.js';
import { ROLLUP_JOB } from '../shared/core/later.js';
import { type PlatformDescriptor, type PlatformSetting, secretNames } from '../shared/platform/descriptor.js';
import { TABLE } from '../shared/store/table.js';
import { BotFunction } from './bot-function.js';
import type { DiscordRelay } from './discord-relay.js';
import { OutboxWorker } from './outbox-worker.js';
import { PLATFORM_DESCRIPTORS } from './platforms.js';
import { SlackInstallFunction } from './slack-install-function.js';

export interface CommunityStackProps extends StackProps {
  /**
   * Protects the table from deletion. Defaults to the `deletionProtection` context value, and to true when
   * that is not set; `cdk deploy -c deletionProtection=false` makes a throwaway stack.
   */
  readonly deletionProtection?: boolean;
  /**
   * SPACES_MODE of every function: `approved` (a new space waits for a link or ops' approval) unless the
   * `spacesMode` context says `open` (`cdk deploy -c spacesMode=open`).
   */
  readonly spacesMode?: SpacesMode;
  /**
   * The Discord gateway relay's construct (infra/discord-relay.ts), when it should run: app.ts passes it when
   * the `discordRelay` context is true (`cdk deploy -c discordRelay=true`), and only then loads ECS.
   */
  readonly discordRelay?: typeof DiscordRelay;
}

/** A deployment serves only the spaces ops approve or a community links, unless told otherwise. */
export const DEFAULT_STACK_SPACES_MODE: SpacesMode = 'approved';

/** Placeholder for secret values that ops set after the first deploy. */
const SET_ME = 'set-me';

/** Fields of each API Gateway access log line (HTTP API $context variables); no bodies, no headers. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
};

/**
 * The whole deployment: the table (encrypted with a key of its own), one secret and one function per bot,
 * the outbox worker the bots wake (and its schedule and alarm), Slack's installation function, and the HTTP
 * API the platforms and browsers reach. Region-agnostic, and synthesizes offline (bundling runs the local
 * esbuild).
 */
export class CommunityStack extends Stack {
  /** The table's customer-managed key: bot tokens (Slack installations) are at rest under it. */
  readonly tableKey: Key;

  constructor(scope: Construct, id: string, props: CommunityStackProps = {}) {
    super(scope, id, props);
    const spacesMode = props.spacesMode ?? this.spacesModeContext();
    this.tableKey = new Key(this, 'TableKey', {
      description: 'Encrypts the community table at rest (bot tokens of Slack installations among it)',
      enableKeyRotation: true,
      // The table is retained; without its key, what it holds could never be read again.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const table = this.createTable(
      props.deletionProtection ?? this.deletionProtectionContext(),
      this.tableKey,
    );
    const { api, stage } = this.createApi();
    const membersSecret = this.membersSecret();
    // Secrets and parameters first: the outbox worker sends as every bot, and every bot wakes it.
    const platforms = PLATFORM_DESCRIPTORS.map((bot) => ({
      bot,
      secret: this.botSecret(bot),
      parameters: this.parameters(bot.settings),
    }));
    const outbox = new OutboxWorker(this, 'Outbox', {
      table,
      tableKey: this.tableKey,
      platforms,
      membersSecret,
      environment: Object.assign({}, ...platforms.map(({ parameters }) => parameters)),
    });
    const botFunctions: BotFunction[] = [];
    for (const { bot, secret, parameters } of platforms) {
      const botFunction = new BotFunction(this, `${bot.title}Bot`, {
        bot,
        table,
        tableKey: this.tableKey,
        secret,
        membersSecret,
        environment: { ...parameters, SPACES_MODE: spacesMode },
        outboxWorker: outbox.function,
      });
      botFunctions.push(botFunction);
      this.addWebhookRoutes(api, bot, botFunction, stage);
      if (bot.platform === 'slack') this.addSlackInstall(api, stage, table, secret, spacesMode);
      new CfnOutput(this, `${bot.title}SecretArn`, {
        value: secret.secretArn,
        description: `aws secretsmanager put-secret-value --secret-id <this> --secret-string '{${secretKeys(
          bot,
        )
          .map((key) => `"${key}":"..."`)
          .join(',')}}'`,
      });
    }
    this.closeRollupsNightly(botFunctions[0] as BotFunction);
    // botFunctions[i] is the function of platforms[i].
    const discordAt = platforms.findIndex(({ bot }) => bot.platform === 'discord');
    const [discord, discordBot] = [platforms[discordAt], botFunctions[discordAt]];
    if (props.discordRelay && discord && discordBot) {
      const relay = new props.discordRelay(this, 'DiscordRelay', {
        table,
        tableKey: this.tableKey,
        secret: discord.secret,
        membersSecret,
        outboxWorker: outbox.function,
        laterFunction: discordBot.function,
        environment: { ...discord.parameters, SPACES_MODE: spacesMode },
      });
      new CfnOutput(this, 'DiscordRelayServiceName', {
        value: relay.service.serviceName,
        description: 'aws ecs describe-services --cluster <DiscordRelayClusterName> --services <this>',
      });
      new CfnOutput(this, 'DiscordRelayClusterName', { value: relay.cluster.clusterName });
      new CfnOutput(this, 'DiscordRelayLogGroupName', {
        value: relay.logGroup.logGroupName,
        description: 'aws logs tail <this> --follow',
      });
    }
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'OutboxAlarmTopicArn', {
      value: outbox.alarmTopic.topicArn,
      description:
        'Told when an outbox message fails for good: aws sns subscribe --topic-arn <this> --protocol email ' +
        '--notification-endpoint <address>',
    });
    new CfnOutput(this, 'OutboxFailedAlarmName', { value: outbox.alarm.alarmName });
  }

  /** The `spacesMode` context, checked: a wrong value fails the synth saying which values there are. */
  private spacesModeContext(): SpacesMode {
    const value: unknown = this.node.tryGetContext('spacesMode') ?? DEFAULT_STACK_SPACES_MODE;
    if (!(SPACES_MODES as readonly unknown[]).includes(value)) {
      throw new Error(
        `Context spacesMode must be one of ${SPACES_MODES.join(', ')} (e.g. cdk deploy -c spacesMode=open), ` +
          `not ${JSON.stringify(value)}`,
      );
    }
    return value as SpacesMode;
  }

  private deletionProtectionContext(): boolean {
    const value: unknown = this.node.tryGetContext('deletionProtection');
    // CLI context (-c key=value) arrives as a string, cdk.json context as JSON.
    return value !== false && value !== 'false';
  }

  /**
   * The table, encrypted at rest with the stack's own key (README: "Tokens at rest"): DynamoDB decrypts for
   * the functions the key policy and their roles allow, so no KMS call is on their path.
   */
  private createTable(deletionProtection: boolean, key: Key): Table {
    const { byDay, byMember } = TABLE.indexes;
    const table = new Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      timeToLiveAttribute: TABLE.timeToLiveAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    table.addGlobalSecondaryIndex({
      indexName: byDay.name,
      partitionKey: { name: byDay.partitionKey, type: AttributeType.STRING },
      sortKey: { name: byDay.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: [...byDay.nonKeyAttributes],
    });
    table.addGlobalSecondaryIndex({
      indexName: byMember.name,
      partitionKey: { name: byMember.partitionKey, type: AttributeType.STRING },
      sortKey: { name: byMember.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.KEYS_ONLY,
    });
    return table;
  }

  /**
   * Every night at 00:30 UTC (after the day closed, at 00:15) one bot function closes the last days' rollups
   * of every space (shared/core/stats/close-days.ts), so records may expire after their retention without
   * stats changing. Any bot function can: the job touches only the table. EventBridge retries a failed run.
   */
  private closeRollupsNightly(target: BotFunction): void {
    new Rule(this, 'CloseRollups', {
      description: 'Closes the daily engagement rollups of every space',
      schedule: Schedule.cron({ minute: '30', hour: '0' }),
      targets: [
        new LambdaFunctionTarget(target.function, {
          event: RuleTargetInput.fromObject(ROLLUP_JOB),
          retryAttempts: 2,
        }),
      ],
    });
  }

  /**
   * The key of opaque member ids (shared/lambda/member-key.ts), generated here and never seen by anyone.
   * Retained with the table: without it, no record could be matched to a member again (`me`, `forget`).
   */
  private membersSecret(): Secret {
    const secret = new Secret(this, 'MembersSecret', {
      description:
        'MEMBER_KEY: the key of opaque member ids and opt-out markers (never rotate without a migration)',
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: 'MEMBER_KEY',
        passwordLength: 64,
        excludePunctuation: true,
        includeSpace: false,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the member key would change every member id in the table: it is rotated only with a migration.',
    });
    return secret;
  }

  /**
   * A bot's secret, JSON keyed by the variable names its handler reads (Slack's also holds what its
   * installation flow reads). Values the platform issues are placeholders until ops put the real ones; the
   * descriptor's `generated` key gets a random value (letters and digits) instead, so nobody can sign a
   * request with a guessable value before then.
   */
  private botSecret(bot: PlatformDescriptor): Secret {
    const keys = secretKeys(bot);
    const { generated } = bot.secret;
    const placeholders = keys.filter((key) => key !== generated.name);
    const secret = new Secret(this, `${bot.title}Secret`, {
      description: `${bot.title} bot: ${keys.join(', ')} (${bot.secret.instructions})`,
      generateSecretString: {
        ...(generated.length ? { passwordLength: generated.length, includeSpace: false } : {}),
        secretStringTemplate: JSON.stringify(Object.fromEntries(placeholders.map((key) => [key, SET_ME]))),
        generateStringKey: generated.name,
        excludePunctuation: true,
      },
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Platform tokens are issued by Slack, Discord and BotFather; Secrets Manager cannot rotate them.',
    });
    return secret;
  }

  /**
   * Non-secret ids, as deploy-time parameters (the `parameter` settings). A parameter whose pattern allows
   * an empty value (a Slack bot id, not needed when the bot serves many workspaces) may be left out.
   */
  private parameters(settings: readonly PlatformSetting[]): Record<string, string> {
    const environment: Record<string, string> = {};
    for (const setting of settings) {
      if (setting.source !== 'parameter' || !setting.parameter) continue;
      const { id, pattern } = setting.parameter;
      environment[setting.name] = new CfnParameter(this, id, {
        type: 'String',
        description: setting.description.replaceAll('`', ''),
        allowedPattern: pattern,
        ...(new RegExp(pattern).test('') ? { default: '' } : {}),
      }).valueAsString;
    }
    return environment;
  }

  /**
   * Slack's installation flow: its function (bots/slack/oauth/) on `GET /slack/install` and
   * `GET /slack/oauth_redirect`, and both URLs as outputs (the redirect URL goes into the Slack app's OAuth
   * settings).
   */
  private addSlackInstall(
    api: HttpApi,
    stage: HttpStage,
    table: Table,
    secret: Secret,
    spacesMode: SpacesMode,
  ) {
    const { paths } = slackInstall;
    const installFunction = new SlackInstallFunction(this, 'SlackInstall', {
      install: slackInstall,
      table,
      tableKey: this.tableKey,
      secret,
      environment: {
        ...this.parameters(slackInstall.settings),
        ...slackInstall.servedAt(stage.url),
        SPACES_MODE: spacesMode,
      },
    });
    const integration = new HttpLambdaIntegration('SlackInstallIntegration', installFunction.function, {
      payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
    });
    for (const [name, path] of [
      ['SlackInstallUrl', paths.install],
      ['SlackOauthRedirectUrl', paths.redirect],
    ] as const) {
      for (const route of api.addRoutes({ path, methods: [HttpMethod.GET], integration })) {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'Browser routes of the Slack installation: a person follows them from Slack, with no AWS or JWT ' +
            'credentials; the callback is checked by its signed state, bound to a cookie of the browser ' +
            'that started, and by Slack accepting its one-time code.',
        });
      }
      new CfnOutput(this, name, {
        value: `${stage.url}${path.slice(1)}`,
        description:
          path === paths.redirect
            ? 'Slack app, OAuth & Permissions: add this Redirect URL'
            : 'Where a workspace admin installs the Slack app (GET)',
      });
    }
  }

  /** The HTTP API and its `$default` stage: auto-deployed, throttled, access-logged. */
  private createApi(): { api: HttpApi; stage: HttpStage } {
    const api = new HttpApi(this, 'Api', {
      description: 'Webhooks for the Slack, Discord and Telegram community bots',
      // The default stage is created below, because only an explicit stage takes throttling and access logs.
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.ONE_MONTH });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    return { api, stage };
  }

  /** POST <webhook path> to the bot (payload format 2.0, what the handlers take), and its URL as an output. */
  private addWebhookRoutes(
    api: HttpApi,
    bot: PlatformDescriptor,
    botFunction: BotFunction,
    stage: HttpStage,
  ) {
    const integration = new HttpLambdaIntegration(`${bot.title}Integration`, botFunction.function, {
      payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
    });
    for (const path of bot.webhookPaths) {
      const routes = api.addRoutes({ path, methods: [HttpMethod.POST], integration });
      for (const route of routes) {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'Platform webhooks cannot carry AWS or JWT credentials; Slack, Discord and Telegram sign every ' +
            'request and the handler verifies it (401 when forged or stale).',
        });
      }
      // `/slack/events` -> SlackEventsUrl. The $default stage URL ends with '/'; the paths start with one.
      new CfnOutput(this, `${bot.title}${capitalize(path.split('/').pop() ?? '')}Url`, {
        value: `${stage.url}${path.slice(1)}`,
        description: `Where ${bot.title} delivers: POST ${path}`,
      });
    }
  }
}

/** The keys of a bot's secret: what its handler reads and, for Slack, what its installation flow reads. */
function secretKeys(bot: PlatformDescriptor): string[] {
  const install = bot.platform === 'slack' ? slackInstall.settings : [];
  return [
    ...secretNames(bot),
    ...install.filter((setting) => setting.source === 'secret').map((setting) => setting.name),
  ];
}

function capitalize(word: string): string {
  return `${word.charAt(0).toUpperCase()}${word.slice(1)}`;
}
