import type { PlatformSandbox } from '../sandbox.js';
import { discordSandbox } from './discord.js';
import { slackSandbox } from './slack.js';
import { telegramSandbox } from './telegram.js';

/** Every platform's sandbox, in the order the dev server lists them. */
export const SANDBOXES: readonly PlatformSandbox[] = [slackSandbox, discordSandbox, telegramSandbox];
