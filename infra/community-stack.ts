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
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { type PlatformDescriptor, secretNames } from '../shared/platform/descriptor.js';
import { TABLE } from '../shared/store/table.js';
import { BotFunction } from './bot-function.js';
import { PLATFORM_DESCRIPTORS } from './platforms.js';

export interface CommunityStackProps extends StackProps {
  /**
   * Protects the table from deletion. Defaults to the `deletionProtection` context value, and to true when
   * that is not set; `cdk deploy -c deletionProtection=false` makes a throwaway stack.
   */
  readonly deletionProtection?: boolean;
}

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
    const { api, stage } = this.createApi();
    for (const bot of PLATFORM_DESCRIPTORS) {
      const secret = this.botSecret(bot);
      const botFunction = new BotFunction(this, `${bot.title}Bot`, {
        bot,
        table,
        secret,
        environment: this.botEnvironment(bot),
      });
      this.addWebhookRoutes(api, bot, botFunction, stage);
      new CfnOutput(this, `${bot.title}SecretArn`, {
        value: secret.secretArn,
        description: `aws secretsmanager put-secret-value --secret-id <this> --secret-string '{${secretNames(
          bot,
        )
          .map((key) => `"${key}":"..."`)
          .join(',')}}'`,
      });
    }
    new CfnOutput(this, 'TableName', { value: table.tableName });
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
   * A bot's secret, JSON keyed by the variable names its handler reads. Values the platform issues are
   * placeholders until ops put the real ones; the descriptor's `generated` key gets a random value (letters
   * and digits) instead, so nobody can sign a request with a guessable value before then.
   */
  private botSecret(bot: PlatformDescriptor): Secret {
    const keys = secretNames(bot);
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

  /** A bot's non-secret ids, as deploy-time parameters (the descriptor's `parameter` settings). */
  private botEnvironment(bot: PlatformDescriptor): Record<string, string> {
    const environment: Record<string, string> = {};
    for (const setting of bot.settings) {
      if (setting.source !== 'parameter' || !setting.parameter) continue;
      environment[setting.name] = new CfnParameter(this, setting.parameter.id, {
        type: 'String',
        description: setting.description.replaceAll('`', ''),
        allowedPattern: setting.parameter.pattern,
      }).valueAsString;
    }
    return environment;
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

function capitalize(word: string): string {
  return `${word.charAt(0).toUpperCase()}${word.slice(1)}`;
}
