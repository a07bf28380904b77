import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CommunityStack } from './community-stack.js';

/**
 * The CDK app (`cdk.json` runs it with tsx). cdk-nag (v3) runs as a policy validation plugin: every synth
 * checks the AwsSolutions rules, and any finding not acknowledged in the stack fails the synth with a report.
 */
const app = new App();
new CommunityStack(app, 'CommunityBots', {
  description: 'Community bots for Slack, Discord and Telegram: webhooks on Lambda, engagement in DynamoDB',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
