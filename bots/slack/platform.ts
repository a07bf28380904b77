import { fileURLToPath } from 'node:url';
import type { PlatformDescriptor } from '../../shared/platform/descriptor.js';
import { loadSlackConfig, SLACK_SETTINGS } from './config.js';
import { createSlackHandler } from './edge.js';
import { SLACK_MODERATOR_RULE } from './moderators.js';
import { slackSandbox } from './sandbox.js';

/** Slack, as infra, the local runner, the tests and the bench see it. */
export const slackPlatform: PlatformDescriptor = {
  platform: 'slack',
  title: 'Slack',
  // Events API, slash commands and interactivity all POST here.
  webhookPaths: [slackSandbox.path],
  handlerEntry: fileURLToPath(new URL('./handler.ts', import.meta.url)),
  settings: SLACK_SETTINGS,
  secret: {
    arnVariable: 'SLACK_SECRET_ARN',
    readByHandler: true,
    generated: { name: 'SLACK_SIGNING_SECRET' },
    instructions:
      'set from the Slack app; SLACK_BOT_TOKEN empty to serve every workspace that installs it (README)',
  },
  bundling: {
    // Bolt's App statically requires its HTTP and Socket Mode receivers (and through them these modules)
    // although the Lambda only uses AwsLambdaReceiver; stubbing them cuts Bolt's load from about 170 ms to
    // about 20 ms. `path-to-regexp` is only called by those receivers' custom routes, and `@slack/types` is
    // required by the WebClient only to re-export its typings (some 80 empty modules at run time; ~3 ms).
    unusedModules: [
      '@slack/socket-mode',
      '@slack/oauth',
      'express',
      'raw-body',
      'path-to-regexp',
      '@slack/types',
    ],
    aliases: {},
  },
  moderatorRule: SLACK_MODERATOR_RULE,
  sandbox: slackSandbox,
  createHandler: (env, deps) => createSlackHandler(loadSlackConfig(env), deps),
};
