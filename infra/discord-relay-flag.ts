import type { Construct } from 'constructs';

/** The context key that turns the Discord gateway relay on: `cdk deploy -c discordRelay=true`. */
export const DISCORD_RELAY_CONTEXT = 'discordRelay';

/**
 * Whether the `discordRelay` context asks for the relay (off unless it says true). Kept apart from
 * infra/discord-relay.ts so that reading the flag does not load ECS: with the flag off, synth loads and
 * builds nothing new. A value other than true or false fails the synth saying what it accepts.
 */
export function discordRelayEnabled(scope: Construct): boolean {
  const value: unknown = scope.node.tryGetContext(DISCORD_RELAY_CONTEXT);
  // CLI context (-c key=value) arrives as a string, cdk.json context as JSON.
  if (value === undefined || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new Error(
    `Context ${DISCORD_RELAY_CONTEXT} must be true or false (cdk deploy -c ${DISCORD_RELAY_CONTEXT}=true), ` +
      `not ${JSON.stringify(value)}`,
  );
}
