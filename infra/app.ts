import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CommunityStack } from './community-stack.js';
import { discordRelayEnabled } from './discord-relay-flag.js';

/**
 * The CDK app (`cdk.json` runs it with tsx). cdk-nag (v3) runs as a policy validation plugin: every synth
 * checks the AwsSolutions rules, and any finding not acknowledged in the stack fails the synth with a report.
 */
const app = new App();
// The relay's construct (and ECS with it) is loaded only when `-c discordRelay=true` asks for it.
const discordRelay = discordRelayEnabled(app) ? (await import('./discord-relay.js')).DiscordRelay : undefined;
new CommunityStack(app, 'CommunityBots', {
  description: 'Community bots for Slack, Discord and Telegram: webhooks on Lambda, engagement in DynamoDB',
  ...(discordRelay ? { discordRelay } : {}),
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
