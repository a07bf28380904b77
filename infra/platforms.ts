import { discordPlatform } from '../bots/discord/platform.js';
import { slackPlatform } from '../bots/slack/platform.js';
import { telegramPlatform } from '../bots/telegram/platform.js';
import type { Platform } from '../shared/core/events.js';
import type { PlatformDescriptor } from '../shared/platform/descriptor.js';

/**
 * Every bot this deployment runs, in the order people see them listed. The stack, the local runner, the
 * bench and the tests mount the bots from here; what each needs to know lives in its descriptor.
 */
export const PLATFORM_DESCRIPTORS: readonly PlatformDescriptor[] = [
  slackPlatform,
  discordPlatform,
  telegramPlatform,
];

/** One platform's descriptor. */
export function descriptorOf(platform: Platform): PlatformDescriptor {
  const descriptor = PLATFORM_DESCRIPTORS.find((candidate) => candidate.platform === platform);
  if (!descriptor) throw new Error(`No descriptor for platform ${platform}`);
  return descriptor;
}
