import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  Peer,
  Port,
  SecurityGroup,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import {
  AwsLogDriverMode,
  Cluster,
  ContainerImage,
  ContainerInsights,
  CpuArchitecture,
  Secret as EcsSecret,
  FargateService,
  FargateTaskDefinition,
  LogDrivers,
  OperatingSystemFamily,
} from 'aws-cdk-lib/aws-ecs';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { type BuildOptions, buildSync } from 'esbuild';
import { discordPlatform } from '../bots/discord/platform.js';
import { assertNoSecretInEnvironment, tableAccessStatements } from './bot-function.js';
import { BOT_BUNDLE } from './bundling.js';

/** The bot token's key in the Discord secret, as the descriptor names it. */
const BOT_TOKEN = discordPlatform.secret.generated.name;

/** The relay's process entry (the container runs its bundle with `node`). */
export const RELAY_ENTRY = fileURLToPath(new URL('../bots/discord/gateway/relay-main.ts', import.meta.url));

/** The folder holding the image's Dockerfile; the bundle is added beside a copy of it at synth. */
export const RELAY_IMAGE_DIR = fileURLToPath(new URL('./relay-image/', import.meta.url));

/** The bundle's file name, as the Dockerfile copies and runs it. */
export const RELAY_BUNDLE_FILE = 'relay-main.mjs';

/** Where the relay answers `GET /health` in the container (RELAY_HEALTH_PORT). */
export const RELAY_HEALTH_PORT = 8080;

/**
 * The smallest Fargate size (0.25 vCPU, 512 MiB), on Graviton: one gateway connection and a few table
 * writes per event. `npm run bench` measures the relay's memory idle and at 100 events/s.
 */
export const RELAY_TASK_SIZE = { cpu: 256, memoryLimitMiB: 512 } as const;

/**
 * How long ECS waits after SIGTERM before SIGKILL: the relay closes the gateway and lets its in-flight
 * dispatches (store writes, with their retries) finish. During a deploy the new task is already running
 * (minimum healthy 100%), so a long drain costs no gap in hearing the gateway.
 */
export const RELAY_STOP_TIMEOUT = Duration.seconds(60);

/**
 * The container health check. ECS replaces a task that fails it three times in a row; the start period
 * covers connecting and identifying (which the gateway may queue behind another session's identify).
 */
export const RELAY_HEALTH_CHECK = {
  interval: Duration.seconds(30),
  timeout: Duration.seconds(5),
  retries: 3,
  startPeriod: Duration.seconds(60),
} as const;

/**
 * The health check's command: the slim Node image has no curl or wget, so Node itself asks the relay's
 * health endpoint and exits 0 only on a 200 (503 means the shard is not ready).
 */
export function relayHealthCheckCommand(port: number = RELAY_HEALTH_PORT): string[] {
  const script =
    `fetch('http://127.0.0.1:${port}/health',{signal:AbortSignal.timeout(4000)})` +
    '.then((r)=>process.exit(r.status===200?0:1),()=>process.exit(1))';
  return ['CMD', 'node', '-e', script];
}

/**
 * esbuild options for the relay: one ESM file, for Node 24, with every dependency in it. Not the bots'
 * aliases: those serve Lambda cold starts, and two would break a container. The credential stub keeps only
 * environment credentials (Fargate hands the task role over its container credentials endpoint), and the
 * discord-api-types stub holds only what REST needs (the gateway client needs its opcodes and intents).
 * Not minified: start time does not matter here, and readable stack traces in the logs do.
 */
export function relayEsbuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: BOT_BUNDLE.target,
    format: BOT_BUNDLE.format,
    mainFields: [...BOT_BUNDLE.mainFields],
    banner: { js: BOT_BUNDLE.banner },
    minify: false,
    sourcemap: false,
  };
}

/**
 * The image's build directory: a fresh one holding the Dockerfile and the relay bundled from `entry` by the
 * local esbuild (so synth needs no Docker and no network; the asset is hashed by these two files). When the
 * stack is not being bundled (`cdk ls`, another stack's deploy, cheap tests), the Dockerfile's own folder,
 * as CDK does for Lambda code it skips.
 */
export function relayImageDirectory(entry: string, bundle: boolean): string {
  if (!bundle) return RELAY_IMAGE_DIR;
  const directory = mkdtempSync(join(tmpdir(), 'discord-relay-image-'));
  copyFileSync(join(RELAY_IMAGE_DIR, 'Dockerfile'), join(directory, 'Dockerfile'));
  buildSync(relayEsbuildOptions(entry, join(directory, RELAY_BUNDLE_FILE)));
  return directory;
}

export interface DiscordRelayProps {
  /** The community table: the relay reads and writes it as the Discord bot function does. */
  readonly table: ITable;
  /** The table's customer-managed key, used through DynamoDB only. */
  readonly tableKey: IKey;
  /** The Discord bot's secret: its DISCORD_BOT_TOKEN is injected into the container by ECS. */
  readonly secret: ISecret;
  /** The member key's secret: its MEMBER_KEY is injected likewise (the same ids as every bot). */
  readonly membersSecret: ISecret;
  /** The outbox worker, woken when something is due now (a welcome). */
  readonly outboxWorker: IFunction;
  /**
   * The Discord interactions function, the relay's later queue (DISCORD_LATER_FUNCTION_NAME, which the
   * relay's config requires). The two functions are the only ones the relay may invoke.
   */
  readonly laterFunction: IFunction;
  /** Non-secret settings (the Discord bot's parameters, SPACES_MODE). Names ending in _TOKEN or _SECRET are refused. */
  readonly environment: Readonly<Record<string, string>>;
  /** The process entry to bundle; {@link RELAY_ENTRY} unless a test gives its own. */
  readonly entry?: string;
}

/**
 * The Discord gateway relay (bots/discord/gateway/) as one ECS Fargate task on ARM64: in the public subnets
 * of a VPC of its own, without a NAT gateway (the task has a public IP and a security group with no inbound
 * rule and HTTPS out only: the relay only dials out), restarted by ECS when it stops or fails its health
 * check, logging to CloudWatch for a month. Its task role can use the table, wake the outbox worker and hand
 * the interactions function a later job, nothing more; the two secret values reach it through ECS, read by
 * the execution role.
 */
export class DiscordRelay extends Construct {
  readonly vpc: Vpc;
  readonly cluster: Cluster;
  readonly service: FargateService;
  readonly taskDefinition: FargateTaskDefinition;
  /** Where the relay logs (one month retention). */
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: DiscordRelayProps) {
    super(scope, id);
    assertNoSecretInEnvironment(props.environment);
    this.vpc = this.createVpc();
    this.cluster = new Cluster(this, 'Cluster', {
      vpc: this.vpc,
      // Explicit, so an account-level default cannot turn it on: see the acknowledgement below.
      containerInsightsV2: ContainerInsights.DISABLED,
    });
    Validations.of(this.cluster).acknowledge({
      id: 'AwsSolutions-ECS4',
      reason:
        'One task: Container Insights would bill its cluster and service metrics as custom metrics and its ' +
        'performance events as logs, about as much as the task itself. ECS publishes the service CPU and ' +
        'memory metrics at no charge, the health check restarts a stuck relay, and its logs say why.',
    });
    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });
    this.taskDefinition = this.createTaskDefinition(props);
    this.service = new FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: 1,
      // A deploy starts the new relay before stopping the old one, so the gateway is never unheard; the two
      // overlap safely because every event is recorded once whichever relay (or both) delivers it.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      // A relay that cannot start (a token not set yet) fails the deploy and rolls back within minutes,
      // instead of CloudFormation waiting hours for a service that never stabilizes.
      circuitBreaker: { rollback: true },
      assignPublicIp: true,
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      securityGroups: [this.createSecurityGroup()],
    });
  }

  /**
   * Public subnets in two zones (a replacement task can start in the other), no NAT gateway, flow logs,
   * and a DynamoDB gateway endpoint (free), so table traffic stays off the internet.
   */
  private createVpc(): Vpc {
    const vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [
        // The task asks for its own public IP; nothing else in these subnets should get one by default.
        { name: 'Public', subnetType: SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
      ],
      // Restricting the default security group takes a custom-resource Lambda; nothing uses that group.
      restrictDefaultSecurityGroup: false,
      gatewayEndpoints: { DynamoDb: { service: GatewayVpcEndpointAwsService.DYNAMODB } },
    });
    vpc.addFlowLog('FlowLog', {
      destination: FlowLogDestination.toCloudWatchLogs(
        new LogGroup(this, 'FlowLogs', { retention: RetentionDays.ONE_MONTH }),
      ),
      trafficType: FlowLogTrafficType.ALL,
    });
    return vpc;
  }

  /** No inbound rule at all; out, HTTPS only (Discord, DynamoDB, Lambda, ECR, CloudWatch Logs, Secrets Manager). */
  private createSecurityGroup(): SecurityGroup {
    const group = new SecurityGroup(this, 'SecurityGroup', {
      vpc: this.vpc,
      description: 'Discord gateway relay: no inbound, HTTPS out',
      allowAllOutbound: false,
    });
    group.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS to Discord and AWS APIs');
    return group;
  }

  private createTaskDefinition(props: DiscordRelayProps): FargateTaskDefinition {
    const taskDefinition = new FargateTaskDefinition(this, 'Task', {
      ...RELAY_TASK_SIZE,
      runtimePlatform: {
        cpuArchitecture: CpuArchitecture.ARM64,
        operatingSystemFamily: OperatingSystemFamily.LINUX,
      },
      taskRole: this.createTaskRole(props),
      executionRole: this.createExecutionRole(),
    });
    const directory = relayImageDirectory(props.entry ?? RELAY_ENTRY, Stack.of(this).bundlingRequired);
    taskDefinition.addContainer('Relay', {
      image: ContainerImage.fromAsset(directory, { platform: Platform.LINUX_ARM64 }),
      logging: LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: 'relay',
        // A slow CloudWatch must never stall the process that is listening to the gateway.
        mode: AwsLogDriverMode.NON_BLOCKING,
      }),
      environment: {
        TABLE_NAME: props.table.tableName,
        OUTBOX_FUNCTION_NAME: props.outboxWorker.functionName,
        DISCORD_LATER_FUNCTION_NAME: props.laterFunction.functionName,
        RELAY_HEALTH_PORT: String(RELAY_HEALTH_PORT),
        AWS_REGION: Stack.of(this).region,
        ...props.environment,
      },
      // Read by the execution role when the task starts; the values never appear in the task definition.
      secrets: {
        [BOT_TOKEN]: EcsSecret.fromSecretsManager(props.secret, BOT_TOKEN),
        MEMBER_KEY: EcsSecret.fromSecretsManager(props.membersSecret, 'MEMBER_KEY'),
      },
      healthCheck: { command: relayHealthCheckCommand(), ...RELAY_HEALTH_CHECK },
      stopTimeout: RELAY_STOP_TIMEOUT,
      readonlyRootFilesystem: true,
    });
    Validations.of(taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'The environment holds only non-secret settings (table and function names, Discord ids, the health ' +
        'port); the bot token and the member key come from Secrets Manager through the container secrets.',
    });
    return taskDefinition;
  }

  /**
   * What the relay itself may do: the table as the bot function uses it (through its key), wake the worker,
   * hand a job to the interactions function.
   */
  private createTaskRole(props: DiscordRelayProps): Role {
    const { table } = props;
    const role = new Role(this, 'TaskRole', {
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'The Discord gateway relay of the community bots',
    });
    for (const statement of tableAccessStatements(this, table, props.tableKey)) role.addToPolicy(statement);
    role.addToPolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [props.outboxWorker.functionArn, props.laterFunction.functionArn],
      }),
    );
    return role;
  }

  /**
   * What ECS does for the task: pull the image, write the log stream, read the two secrets. CDK adds those
   * grants as the container asks for them.
   */
  private createExecutionRole(): Role {
    const role = new Role(this, 'ExecutionRole', {
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Starts the Discord gateway relay: image, logs, secrets',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken, needed to pull the image, has no resource to scope to: IAM accepts only ' +
        '"*" for it. The pull itself is allowed on the asset repository only.',
    });
    return role;
  }
}
