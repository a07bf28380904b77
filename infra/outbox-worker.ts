import { fileURLToPath } from 'node:url';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  Architecture,
  type IFunction,
  Function as LambdaFunction,
  ParamsAndSecretsLayerVersion,
  Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, LogGroup, MetricFilter, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { SCHEDULED_EVENT } from '../shared/lambda/wake.js';
import type { BundlingDescription, PlatformDescriptor } from '../shared/platform/descriptor.js';
import { TABLE } from '../shared/store/table.js';
import { assertNoSecretInEnvironment, SECRETS_EXTENSION_VERSION, tableKeyStatement } from './bot-function.js';
import { botCode } from './bundling.js';

/** The worker's Lambda entry. */
export const OUTBOX_WORKER_ENTRY = fileURLToPath(new URL('../bots/outbox/handler.ts', import.meta.url));

/**
 * The table actions the worker needs: query the due index and the attention items, read messages
 * (consistently, in batches), settings, mutes, privacy markers and Slack installations, update a message
 * through its attempts and the lease, and put budget spends. No delete, no batch write, no scan.
 */
export const WORKER_TABLE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  // A digest subscriber who opted out loses the subscription (content/digest-send.ts).
  'dynamodb:DeleteItem',
] as const;

/**
 * A run lasts at most 55 s (bots/outbox/config.ts) and stops 10 s before the timeout; 75 s leaves room for
 * the last attempt's own timeout without a run ever overlapping two schedule ticks by much.
 */
export const WORKER_TIMEOUT = Duration.seconds(75);

/** How the schedule runs the worker. A missed tick is not lost work (the work is in the table). */
export const WORKER_SCHEDULE = {
  expression: 'rate(1 minute)',
  /** Scheduler retries a delivery it could not make (throttling) twice, within the minute. */
  retryAttempts: 2,
  maxEventAge: Duration.minutes(1),
} as const;

/** The metric a failed outbox message counts in (the worker logs `code: "outbox_failed"`). */
export const OUTBOX_FAILED_METRIC = 'OutboxFailed';

/**
 * The worker bundle carries the three platforms' transports: it takes every bot's replacements and unused
 * modules, which hold for the transports as they do for the bots.
 */
export function outboxWorkerBundling(bots: readonly PlatformDescriptor[]): BundlingDescription {
  return {
    unusedModules: [...new Set(bots.flatMap((bot) => bot.bundling.unusedModules))],
    aliases: Object.assign({}, ...bots.map((bot) => bot.bundling.aliases)),
  };
}

/** A platform the worker sends to: its descriptor and its secret. */
export interface WorkerPlatform {
  readonly bot: PlatformDescriptor;
  readonly secret: ISecret;
}

export interface OutboxWorkerProps {
  readonly table: ITable;
  readonly tableKey: IKey;
  /** Every bot: the worker reads each one's secret (its token) through the secrets extension. */
  readonly platforms: readonly WorkerPlatform[];
  /**
   * The key of opaque member ids: the content scheduler writes digests and moderators' notices to members,
   * whose privacy markers and mutes are keyed by it.
   */
  readonly membersSecret: ISecret;
  /** Non-secret settings (the bots' platform ids). Names ending in _TOKEN or _SECRET are refused. */
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * The outbox worker (bots/outbox/): its function, run every minute by an EventBridge Scheduler schedule and
 * woken by the bots; a role that can write its logs, use the table (through its key) and read the three bot
 * secrets, nothing more; and an alarm, on an SNS topic, when a message fails for good.
 */
export class OutboxWorker extends Construct {
  readonly function: LambdaFunction;
  readonly logGroup: LogGroup;
  readonly alarm: Alarm;
  /** Where the alarm notifies: subscribe to it (stack output). */
  readonly alarmTopic: Topic;
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: OutboxWorkerProps) {
    super(scope, id);
    assertNoSecretInEnvironment(props.environment);
    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });
    const role = this.createRole(props);
    const bots = props.platforms.map(({ bot }) => bot);
    this.function = new LambdaFunction(this, 'Function', {
      description: 'Community bots: outbox worker (sends what the bots say unasked)',
      code: botCode({ handlerEntry: OUTBOX_WORKER_ENTRY, bundling: outboxWorkerBundling(bots) }),
      handler: 'index.handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: WORKER_TIMEOUT,
      role,
      logGroup: this.logGroup,
      paramsAndSecrets: ParamsAndSecretsLayerVersion.fromVersion(SECRETS_EXTENSION_VERSION),
      environment: {
        TABLE_NAME: props.table.tableName,
        MEMBERS_SECRET_ARN: props.membersSecret.secretArn,
        ...Object.fromEntries(
          props.platforms.map(({ bot, secret }) => [bot.secret.arnVariable, secret.secretArn]),
        ),
        ...props.environment,
      },
    });
    // A failed run is not retried: the next tick (or wake-up) runs again, and the messages wait in the table.
    this.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    this.schedule = this.runEveryMinute(this.function);
    ({ alarm: this.alarm, topic: this.alarmTopic } = this.alarmOnFailed());
  }

  /** Lets a bot wake the worker: InvokeFunction on this function only. */
  invokeStatement(): PolicyStatement {
    return new PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: [this.function.functionArn],
    });
  }

  /** Its own role: logs, the table and its key, the bots' secrets (GetSecretValue only, as the extension reads). */
  private createRole(props: OutboxWorkerProps): Role {
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Runs the outbox worker of the community bots',
    });
    this.logGroup.grantWrite(role);
    role.addToPolicy(
      new PolicyStatement({
        actions: [...WORKER_TABLE_ACTIONS],
        // The due indexes live in the byMember index's small OUTBOX, SCHEDULES and DIGESTS partitions; a
        // channel's post feedback reads the byDay index (reactions on the post).
        resources: [
          props.table.tableArn,
          `${props.table.tableArn}/index/${TABLE.indexes.byMember.name}`,
          `${props.table.tableArn}/index/${TABLE.indexes.byDay.name}`,
        ],
      }),
    );
    role.addToPolicy(tableKeyStatement(this, props.tableKey));
    role.addToPolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [...props.platforms.map(({ secret }) => secret.secretArn), props.membersSecret.secretArn],
      }),
    );
    return role;
  }

  /** `rate(1 minute)`, with Scheduler's own role allowed to invoke this function and nothing else. */
  private runEveryMinute(worker: LambdaFunction): Schedule {
    return new Schedule(this, 'Schedule', {
      description: 'Runs the outbox worker every minute',
      schedule: ScheduleExpression.expression(WORKER_SCHEDULE.expression),
      target: new InvokeExactly(worker, {
        input: ScheduleTargetInput.fromObject(SCHEDULED_EVENT),
        retryAttempts: WORKER_SCHEDULE.retryAttempts,
        maxEventAge: WORKER_SCHEDULE.maxEventAge,
      }),
    });
  }

  /**
   * A metric of failed messages from the worker's log lines (`{ $.code = "outbox_failed" }`) and an alarm at
   * one or more in five minutes, notifying an SNS topic ops subscribe to.
   */
  private alarmOnFailed(): { alarm: Alarm; topic: Topic } {
    const filter = new MetricFilter(this, 'FailedMessages', {
      logGroup: this.logGroup,
      filterPattern: FilterPattern.stringValue('$.code', '=', 'outbox_failed'),
      metricNamespace: `${Stack.of(this).stackName}/Outbox`,
      metricName: OUTBOX_FAILED_METRIC,
      metricValue: '1',
    });
    const alarm = new Alarm(this, 'FailedAlarm', {
      alarmDescription:
        'An outbox message failed for good (out of attempts or refused): /community audit lists it for moderators',
      metric: filter.metric({ statistic: 'Sum', period: Duration.minutes(5) }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const topic = new Topic(this, 'AlarmTopic', {
      displayName: 'Community bots: outbox alarms',
      enforceSSL: true,
    });
    Validations.of(topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'The topic carries only alarm state changes (alarm name, metric, threshold), never message text or ' +
        'member data; CloudWatch cannot publish to a topic under the AWS-managed SNS key, and a key of its ' +
        'own would protect nothing secret.',
    });
    alarm.addAlarmAction(new SnsAction(topic));
    return { alarm, topic };
  }
}

/**
 * Scheduler's Lambda target, granting InvokeFunction on the function's ARN alone: the stock target grants
 * it on every version and alias too (`<arn>:*`), which the schedule never invokes.
 */
class InvokeExactly extends LambdaInvoke {
  constructor(
    private readonly worker: IFunction,
    props: ConstructorParameters<typeof LambdaInvoke>[1],
  ) {
    super(worker, props);
  }

  protected override addTargetActionToRole(role: IRole): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.worker.functionArn] }),
    );
  }
}
