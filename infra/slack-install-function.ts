import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  Architecture,
  Function as LambdaFunction,
  ParamsAndSecretsLayerVersion,
  Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { SlackInstallDescriptor } from '../bots/slack/oauth/platform.js';
import { assertNoSecretInEnvironment, SECRETS_EXTENSION_VERSION, tableKeyStatement } from './bot-function.js';
import { botCode } from './bundling.js';

/**
 * The table actions the installation flow needs: claim a callback (conditional put, read, update, delete),
 * store an installation (put), register or reactivate its space (conditional put, read, update). No query,
 * no scan, no batch.
 */
export const INSTALL_TABLE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:GetItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
] as const;

/**
 * The only partitions it may touch (IAM's `dynamodb:LeadingKeys`): Slack spaces (the space item and its
 * installation) and its own callback claims. Engagement, communities and every other platform are out of
 * its reach.
 */
export const INSTALL_LEADING_KEYS = ['SPACE#slack:*', 'OAUTH#*'] as const;

export interface SlackInstallFunctionProps {
  readonly install: SlackInstallDescriptor;
  readonly table: ITable;
  readonly tableKey: IKey;
  /** The Slack secret: the client secret and the state secret are read from it. */
  readonly secret: ISecret;
  /** Non-secret settings: the client id, the redirect URL, SPACES_MODE. */
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * The Slack installation flow's Lambda (bots/slack/oauth/): its own log group and a role that can write
 * those logs, read the Slack secret, and put, get, update and delete items in the Slack space partitions
 * and its claim partitions of the table (through the table's key), nothing more. It invokes nothing.
 */
export class SlackInstallFunction extends Construct {
  readonly function: LambdaFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: SlackInstallFunctionProps) {
    super(scope, id);
    const { install, table, secret } = props;
    assertNoSecretInEnvironment(props.environment);
    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Runs the Slack installation flow',
    });
    this.logGroup.grantWrite(this.role);
    this.role.addToPolicy(
      new PolicyStatement({
        actions: [...INSTALL_TABLE_ACTIONS],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...INSTALL_LEADING_KEYS] } },
      }),
    );
    this.role.addToPolicy(tableKeyStatement(this, props.tableKey));
    this.role.addToPolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
    );
    this.function = new LambdaFunction(this, 'Function', {
      description: 'Community bot: Slack installation (OAuth)',
      code: botCode(install),
      handler: 'index.handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      paramsAndSecrets: ParamsAndSecretsLayerVersion.fromVersion(SECRETS_EXTENSION_VERSION),
      environment: {
        TABLE_NAME: table.tableName,
        [install.secretArnVariable]: secret.secretArn,
        ...props.environment,
      },
    });
  }
}
