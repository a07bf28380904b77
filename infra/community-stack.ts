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
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret, type SecretStringGenerator } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { PLATFORMS, type Platform } from '../shared/core/events.js';
import { TABLE } from '../shared/store/table.js';
import { BotFunction } from './bot-function.js';

export interface CommunityStackProps extends StackProps {
  /**
   * Protects the table from deletion. Defaults to the `deletionProtection` context value, and to true when
   * that is not set; `cdk deploy -c deletionProtection=false` makes a throwaway stack.
   */
  readonly deletionProtection?: boolean;
}

/** The JSON keys of each bot's secret: the variable names its handler reads. */
const SECRET_KEYS: Readonly<Record<Platform, readonly string[]>> = {
  slack: ['SLACK_SIGNING_SECRET', 'SLACK_BOT_TOKEN'],
  discord: ['DISCORD_BOT_TOKEN'],
  telegram: ['TELEGRAM_BOT_TOKEN', 'TELEGRAM_SECRET_TOKEN'],
};

/** Webhook path of each bot, as the platforms are told to call it. */
export const WEBHOOK_PATHS: Readonly<Record<Platform, string>> = {
  slack: '/slack/events',
  discord: '/discord/interactions',
  telegram: '/telegram/webhook',
};

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
 * The whole deployment: the table, one secret and one function per bot, and the HTTP API the platforms
 * deliver to. Region-agnostic, and synthesizes offline (bundling runs the local esbuild).
 */
export class CommunityStack extends Stack {
  constructor(scope: Construct, id: string, props: CommunityStackProps = {}) {
    super(scope, id, props);
    const table = this.createTable(props.deletionProtection ?? this.deletionProtectionContext());
    const secrets = this.createSecrets();
    const environments = this.botEnvironments();
    const { api, stage } = this.createApi();
    for (const platform of PLATFORMS) {
      const bot = new BotFunction(this, `${capitalize(platform)}Bot`, {
        platform,
        table,
        secret: secrets[platform],
        environment: environments[platform],
      });
      this.addWebhookRoute(api, platform, bot);
    }
    this.addOutputs(stage, table, secrets);
  }

  private deletionProtectionContext(): boolean {
    const value: unknown = this.node.tryGetContext('deletionProtection');
    // CLI context (-c key=value) arrives as a string, cdk.json context as JSON.
    return value !== false && value !== 'false';
  }

  private createTable(deletionProtection: boolean): Table {
    const { byDay } = TABLE.indexes;
    const table = new Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
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
    return table;
  }

  /**
   * One secret per bot, JSON keyed by the variable names its handler reads. Values the platform issues are
   * placeholders until ops put the real ones. Slack's signing secret and Discord's token are generated
   * rather than a fixed placeholder, so nobody can sign a request with a guessable value before then.
   */
  private createSecrets(): Record<Platform, Secret> {
    return {
      slack: this.botSecret('slack', 'SLACK_SIGNING_SECRET', 'set both from the Slack app'),
      discord: this.botSecret('discord', 'DISCORD_BOT_TOKEN', 'set it from the Discord application'),
      // Telegram echoes this token in X-Telegram-Bot-Api-Secret-Token; it allows A-Za-z0-9_- (1-256 chars).
      telegram: this.botSecret('telegram', 'TELEGRAM_SECRET_TOKEN', 'set the bot token from BotFather', {
        passwordLength: 64,
        includeSpace: false,
      }),
    };
  }

  /** A bot's secret: `generatedKey` gets a random value (letters and digits), the other keys `set-me`. */
  private botSecret(
    platform: Platform,
    generatedKey: string,
    instructions: string,
    options: SecretStringGenerator = {},
  ): Secret {
    const placeholders = SECRET_KEYS[platform].filter((key) => key !== generatedKey);
    const secret = new Secret(this, `${capitalize(platform)}Secret`, {
      description: `${capitalize(platform)} bot: ${SECRET_KEYS[platform].join(', ')} (${instructions})`,
      generateSecretString: {
        ...options,
        secretStringTemplate: JSON.stringify(Object.fromEntries(placeholders.map((key) => [key, SET_ME]))),
        generateStringKey: generatedKey,
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

  /** The non-secret ids, as deploy-time parameters. */
  private botEnvironments(): Record<Platform, Record<string, string>> {
    const parameter = (id: string, description: string, allowedPattern: string) =>
      new CfnParameter(this, id, { type: 'String', description, allowedPattern }).valueAsString;
    return {
      slack: {
        SLACK_BOT_ID: parameter(
          'SlackBotId',
          'Slack bot id (B...), given to Bolt so it never calls auth.test',
          '^B[A-Z0-9]+$',
        ),
        SLACK_BOT_USER_ID: parameter(
          'SlackBotUserId',
          "Slack bot's user id (U... or W...); its own events are never recorded",
          '^[UW][A-Z0-9]+$',
        ),
      },
      discord: {
        DISCORD_APPLICATION_ID: parameter('DiscordApplicationId', 'Discord application id', '^[0-9]{15,21}$'),
        DISCORD_PUBLIC_KEY: parameter(
          'DiscordPublicKey',
          'Discord application public key (hex), verifies interaction signatures',
          '^[0-9a-fA-F]{64}$',
        ),
      },
      telegram: {
        TELEGRAM_BOT_USERNAME: parameter(
          'TelegramBotUsername',
          "Telegram bot's username without the @ (from BotFather), to recognise commands addressed to it",
          '^[A-Za-z0-9_]{5,32}$',
        ),
      },
    };
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

  /** POST <webhook path> to the bot (payload format 2.0, what the handlers take). */
  private addWebhookRoute(api: HttpApi, platform: Platform, bot: BotFunction): void {
    const routes = api.addRoutes({
      path: WEBHOOK_PATHS[platform],
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration(`${capitalize(platform)}Integration`, bot.function, {
        payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
      }),
    });
    for (const route of routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Platform webhooks cannot carry AWS or JWT credentials; Slack, Discord and Telegram sign every ' +
          'request and the handler verifies it (401 when forged or stale).',
      });
    }
  }

  /** What ops need after a deploy: where to point each platform, the table, and which secrets to fill. */
  private addOutputs(stage: HttpStage, table: Table, secrets: Record<Platform, Secret>): void {
    new CfnOutput(this, 'SlackEventsUrl', { value: webhookUrl(stage, 'slack') });
    new CfnOutput(this, 'DiscordInteractionsUrl', { value: webhookUrl(stage, 'discord') });
    new CfnOutput(this, 'TelegramWebhookUrl', { value: webhookUrl(stage, 'telegram') });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    for (const platform of PLATFORMS) {
      const json = SECRET_KEYS[platform].map((key) => `"${key}":"..."`).join(',');
      new CfnOutput(this, `${capitalize(platform)}SecretArn`, {
        value: secrets[platform].secretArn,
        description: `aws secretsmanager put-secret-value --secret-id <this> --secret-string '{${json}}'`,
      });
    }
  }
}

function webhookUrl(stage: HttpStage, platform: Platform): string {
  // The $default stage URL ends with '/'; the paths start with one.
  return `${stage.url}${WEBHOOK_PATHS[platform].slice(1)}`;
}

function capitalize(word: string): string {
  return `${word.charAt(0).toUpperCase()}${word.slice(1)}`;
}
