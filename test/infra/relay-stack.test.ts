import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRelayConfig } from '../../bots/discord/gateway/relay-config.js';
import { CommunityStack } from '../../infra/community-stack.js';
import { DiscordRelay } from '../../infra/discord-relay.js';
import { discordRelayEnabled } from '../../infra/discord-relay-flag.js';

// The stack with the Discord gateway relay off (the default) and on (`cdk deploy -c discordRelay=true`).

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

interface Synthesized {
  readonly app: App;
  readonly template: Template;
  readonly resources: Resources;
}

/** The whole stack, with or without the relay; Lambda bundling skipped (it is not what is tested here). */
function synth(relay: boolean): Synthesized {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new CommunityStack(app, 'CommunityBots', relay ? { discordRelay: DiscordRelay } : {});
  const template = Template.fromStack(stack);
  return { app, template, resources: template.toJSON().Resources as Resources };
}

function nagFindings(app: App): string[] {
  return new AwsSolutionsChecks(undefined, { verbose: true })
    .validateScope(app)
    .violations.filter((v) => v.severity === 'error' || v.severity === 'warning')
    .map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
}

/** The one resource of a type whose logical id starts with `prefix`. */
function only(resources: Resources, type: string, prefix = ''): [string, Resources[string]] {
  const found = Object.entries(resources).filter(([id, r]) => r.Type === type && id.startsWith(prefix));
  if (found.length !== 1) throw new Error(`expected one ${type} ${prefix}, found ${found.length}`);
  return found[0] as [string, Resources[string]];
}

function statementsOfRole(resources: Resources, roleId: string): Statement[] {
  return Object.values(resources)
    .filter(
      (r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === `[{"Ref":"${roleId}"}]`,
    )
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });

let off: Synthesized;
let on: Synthesized;

beforeAll(() => {
  off = synth(false);
  on = synth(true);
});

describe('the discordRelay context', () => {
  it('is off unless it says true, from the CLI (a string) or cdk.json (JSON)', () => {
    const enabled = (context: Record<string, unknown>) => discordRelayEnabled(new App({ context }));

    expect(enabled({})).toBe(false);
    expect(enabled({ discordRelay: 'false' })).toBe(false);
    expect(enabled({ discordRelay: false })).toBe(false);
    expect(enabled({ discordRelay: 'true' })).toBe(true);
    expect(enabled({ discordRelay: true })).toBe(true);
  });

  it('refuses any other value, saying what it accepts', () => {
    expect(() => discordRelayEnabled(new App({ context: { discordRelay: 'yes' } }))).toThrow(
      /discordRelay must be true or false .*not "yes"/,
    );
  });
});

describe('with the flag off', () => {
  it('adds no ECS or VPC resource and no relay output', () => {
    const types = Object.values(off.resources).map((r) => r.Type);

    expect(types.filter((type) => /^AWS::(ECS|EC2)::/.test(type))).toEqual([]);
    expect(Object.keys(off.template.toJSON().Outputs).filter((name) => name.includes('Relay'))).toEqual([]);
  });

  it('is cdk-nag clean', () => {
    expect(nagFindings(off.app)).toEqual([]);
  });
});

describe('with the flag on', () => {
  it('runs one Fargate task, starting the new one before stopping the old, rolled back if it cannot start', () => {
    on.template.resourceCountIs('AWS::ECS::Service', 1);
    on.template.resourceCountIs('AWS::ECS::TaskDefinition', 1);
    on.template.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      DesiredCount: 1,
      DeploymentConfiguration: {
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      },
    });
  });

  it('gives the task a public IP in public subnets, with no NAT gateway', () => {
    const [, service] = only(on.resources, 'AWS::ECS::Service');
    const { AwsvpcConfiguration: network } = service.Properties.NetworkConfiguration as {
      AwsvpcConfiguration: { AssignPublicIp: string; Subnets: { Ref: string }[] };
    };
    const routes = Object.values(on.resources).filter((r) => r.Type === 'AWS::EC2::Route');
    const associations = Object.values(on.resources).filter(
      (r) => r.Type === 'AWS::EC2::SubnetRouteTableAssociation',
    );

    expect(network.AssignPublicIp).toBe('ENABLED');
    expect(network.Subnets).toHaveLength(2);
    for (const { Ref: subnet } of network.Subnets) {
      // The subnet's route table sends everything else to the internet gateway.
      const table = associations.find((a) => JSON.stringify(a.Properties.SubnetId) === `{"Ref":"${subnet}"}`)
        ?.Properties.RouteTableId;
      const defaultRoute = routes.find(
        (r) => JSON.stringify(r.Properties.RouteTableId) === JSON.stringify(table),
      );
      expect(defaultRoute?.Properties).toMatchObject({
        DestinationCidrBlock: '0.0.0.0/0',
        GatewayId: { Ref: expect.stringMatching(/^DiscordRelayVpcIGW/) },
      });
    }
    on.template.resourceCountIs('AWS::EC2::NatGateway', 0);
    on.template.resourceCountIs('AWS::EC2::EIP', 0);
    on.template.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
  });

  it('lets nothing in and only HTTPS out', () => {
    on.template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    on.template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: Match.absent(),
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }],
    });
  });

  it('logs the VPC flows and reaches DynamoDB through a gateway endpoint', () => {
    const [flowLogsId] = only(on.resources, 'AWS::Logs::LogGroup', 'DiscordRelayFlowLogs');

    on.template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogGroupName: { Ref: flowLogsId },
    });
    expect(on.resources[flowLogsId]?.Properties.RetentionInDays).toBe(30);
    on.template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.dynamodb']] },
    });
  });

  it('runs on ARM64 at 0.25 vCPU and 512 MiB, read-only, with a health check and time to drain', () => {
    on.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      Cpu: '256',
      Memory: '512',
      ContainerDefinitions: [
        Match.objectLike({
          Essential: true,
          ReadonlyRootFilesystem: true,
          StopTimeout: 60,
          HealthCheck: {
            Command: [
              'CMD',
              'node',
              '-e',
              "fetch('http://127.0.0.1:8080/health',{signal:AbortSignal.timeout(4000)})" +
                '.then((r)=>process.exit(r.status===200?0:1),()=>process.exit(1))',
            ],
            Interval: 30,
            Timeout: 5,
            Retries: 3,
            StartPeriod: 60,
          },
        }),
      ],
    });
  });

  it('logs to its own log group, kept for one month, without blocking the process', () => {
    const [logsId] = only(on.resources, 'AWS::Logs::LogGroup', 'DiscordRelayLogs');

    expect(on.resources[logsId]?.Properties.RetentionInDays).toBe(30);
    on.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          LogConfiguration: {
            LogDriver: 'awslogs',
            Options: Match.objectLike({ 'awslogs-group': { Ref: logsId }, mode: 'non-blocking' }),
          },
        }),
      ],
    });
  });

  it('gets non-secret settings in its environment and the two secret values from Secrets Manager', () => {
    const [, task] = only(on.resources, 'AWS::ECS::TaskDefinition');
    const [container] = task.Properties.ContainerDefinitions as {
      Environment: { Name: string; Value: unknown }[];
      Secrets: { Name: string; ValueFrom: unknown }[];
    }[];
    const [discordSecret] = only(on.resources, 'AWS::SecretsManager::Secret', 'DiscordSecret');
    const [membersSecret] = only(on.resources, 'AWS::SecretsManager::Secret', 'MembersSecret');

    expect(container?.Environment.map(({ Name }) => Name).sort()).toEqual([
      'AWS_REGION',
      'DISCORD_APPLICATION_ID',
      'DISCORD_LATER_FUNCTION_NAME',
      'DISCORD_PUBLIC_KEY',
      'OUTBOX_FUNCTION_NAME',
      'RELAY_HEALTH_PORT',
      'SPACES_MODE',
      'TABLE_NAME',
    ]);
    expect(container?.Secrets).toEqual([
      {
        Name: 'DISCORD_BOT_TOKEN',
        ValueFrom: { 'Fn::Join': ['', [{ Ref: discordSecret }, ':DISCORD_BOT_TOKEN::']] },
      },
      { Name: 'MEMBER_KEY', ValueFrom: { 'Fn::Join': ['', [{ Ref: membersSecret }, ':MEMBER_KEY::']] } },
    ]);
  });

  it("gives exactly what the relay's config needs to start, reading no secret itself", async () => {
    // Prepare: the container's environment as ECS builds it: literal values as they are, references (names,
    // ARNs) and the injected secret values as stand-ins.
    const [, task] = only(on.resources, 'AWS::ECS::TaskDefinition');
    const [container] = task.Properties.ContainerDefinitions as {
      Environment: { Name: string; Value: unknown }[];
      Secrets: { Name: string }[];
    }[];
    const env: Record<string, string> = {};
    for (const { Name, Value } of container?.Environment ?? []) {
      env[Name] = typeof Value === 'string' ? Value : `${Name}-value`;
    }
    for (const { Name } of container?.Secrets ?? []) env[Name] = `${Name}-value-long-enough-for-a-member-key`;
    const read = () => Promise.reject(new Error('no secret is read by ARN in the container'));

    // Act
    const config = loadRelayConfig(env, read);

    // Assess
    expect(await config.token()).toBe('DISCORD_BOT_TOKEN-value-long-enough-for-a-member-key');
    await expect(config.core.pseudonyms()).resolves.toBeDefined();
    expect(config.healthPort).toBe(8080);
  });

  it('lets the relay use the table as the bot does, wake the worker and reach the interactions function, nothing more', () => {
    const [, task] = only(on.resources, 'AWS::ECS::TaskDefinition');
    const taskRole = (task.Properties.TaskRoleArn as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    const [tableId] = only(on.resources, 'AWS::DynamoDB::Table');
    const [keyId] = only(on.resources, 'AWS::KMS::Key');
    const [workerId] = only(on.resources, 'AWS::Lambda::Function', 'OutboxFunction');
    const [discordBotId] = only(on.resources, 'AWS::Lambda::Function', 'DiscordBotFunction');
    const indexArn = (name: string) => ({ 'Fn::Join': ['', [getAtt(tableId), `/index/${name}`]] });

    expect(statementsOfRole(on.resources, taskRole)).toEqual([
      {
        Effect: 'Allow',
        Action: [
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:Query',
        ],
        Resource: [getAtt(tableId), indexArn('byDay'), indexArn('byMember')],
      },
      expect.objectContaining({
        Resource: getAtt(keyId),
        Condition: {
          StringEquals: {
            'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
          },
        },
      }),
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: [getAtt(workerId), getAtt(discordBotId)],
      },
    ]);
  });

  it('lets ECS read exactly the two secrets, pull the image and write the relay log group', () => {
    const [, task] = only(on.resources, 'AWS::ECS::TaskDefinition');
    const executionRole = (task.Properties.ExecutionRoleArn as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    const statements = statementsOfRole(on.resources, executionRole);
    const [logsId] = only(on.resources, 'AWS::Logs::LogGroup', 'DiscordRelayLogs');
    const [discordSecret] = only(on.resources, 'AWS::SecretsManager::Secret', 'DiscordSecret');
    const [membersSecret] = only(on.resources, 'AWS::SecretsManager::Secret', 'MembersSecret');
    const reading = statements.filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));

    expect(reading.map((s) => s.Resource)).toEqual([{ Ref: discordSecret }, { Ref: membersSecret }]);
    expect(statements.find((s) => [s.Action].flat().includes('logs:PutLogEvents'))?.Resource).toEqual(
      getAtt(logsId),
    );
    // The only "*": the ECR login, which IAM cannot scope.
    expect(statements.filter((s) => s.Resource === '*').map((s) => s.Action)).toEqual([
      'ecr:GetAuthorizationToken',
    ]);
    expect(JSON.stringify(statements)).not.toMatch(/dynamodb:|lambda:|kms:/);
  });

  it('adds no Lambda function (no custom resource) and names the service in the outputs', () => {
    const [serviceId] = only(on.resources, 'AWS::ECS::Service');
    const outputs = on.template.toJSON().Outputs as Record<string, { Value: unknown }>;

    expect(Object.values(on.resources).filter((r) => r.Type === 'AWS::Lambda::Function')).toHaveLength(
      Object.values(off.resources).filter((r) => r.Type === 'AWS::Lambda::Function').length,
    );
    expect(outputs.DiscordRelayServiceName?.Value).toEqual(getAtt(serviceId, 'Name'));
    expect(
      Object.keys(outputs)
        .filter((name) => name.startsWith('DiscordRelay'))
        .sort(),
    ).toEqual(['DiscordRelayClusterName', 'DiscordRelayLogGroupName', 'DiscordRelayServiceName']);
  });

  it('is cdk-nag clean, acknowledging only Container Insights, the environment and the ECR login, with reasons', () => {
    const acknowledged = on.app.node
      .findAll()
      .filter((construct) => construct.node.path.startsWith('CommunityBots/DiscordRelay'))
      .flatMap((construct) =>
        construct.node.metadata
          .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
          .map(([id, reason]) => ({
            path: construct.node.path,
            id: id.replace(/^annotation::/i, ''),
            reason,
          })),
      )
      // CDK's own acknowledgements (CloudFormation-Validate, on the flow log) are not cdk-nag's.
      .filter(({ id }) => id.startsWith('AwsSolutions-'));

    expect(nagFindings(on.app)).toEqual([]);
    expect(acknowledged.map(({ path, id }) => `${id} ${path}`).sort()).toEqual([
      'AwsSolutions-ECS2 CommunityBots/DiscordRelay/Task',
      'AwsSolutions-ECS4 CommunityBots/DiscordRelay/Cluster',
      'AwsSolutions-IAM5[Resource::*] CommunityBots/DiscordRelay/ExecutionRole',
    ]);
    for (const { reason } of acknowledged) expect(reason.length).toBeGreaterThan(80);
    on.template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'disabled' }],
    });
  });
});
