// Reference: the smallest @slack/bolt app on Lambda, written the way Bolt's docs show it.
import { App, AwsLambdaReceiver } from '@slack/bolt';

const receiver = new AwsLambdaReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET ?? '' });
const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  receiver,
  botId: process.env.SLACK_BOT_ID,
  botUserId: process.env.SLACK_BOT_USER_ID,
  tokenVerificationEnabled: false,
});
app.message(async () => {});

export const handler = async (event: unknown, context: unknown) => {
  const receive = await receiver.start();
  return receive(event as never, context);
};
