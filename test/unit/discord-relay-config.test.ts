import { describe, expect, it } from 'vitest';
import { loadRelayConfig } from '../../bots/discord/gateway/relay-config.js';

const BASE = {
  TABLE_NAME: 'community',
  MEMBER_KEY: 'a-member-key-long-enough-for-the-check-0123456789',
  DISCORD_LATER_FUNCTION_NAME: 'community-discord',
};

describe('loadRelayConfig', () => {
  it('reads the token, the REST root and the health port, frozen', async () => {
    const config = loadRelayConfig({
      ...BASE,
      DISCORD_BOT_TOKEN: 'token-from-env',
      DISCORD_API_URL: 'http://127.0.0.1:9999/api/',
      RELAY_HEALTH_PORT: '9090',
    });

    expect(await config.token()).toBe('token-from-env');
    expect(config.apiUrl).toBe('http://127.0.0.1:9999/api');
    expect(config.healthPort).toBe(9090);
    expect(config.core.later).toEqual({ functionName: 'community-discord' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.core)).toBe(true);
  });

  it("defaults to Discord's API and health on port 8080", () => {
    const config = loadRelayConfig({ ...BASE, DISCORD_BOT_TOKEN: 'token' });

    expect(config.apiUrl).toBe('https://discord.com/api');
    expect(config.healthPort).toBe(8080);
  });

  it('reads the token from the secret named by DISCORD_SECRET_ARN, once', async () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:discord';
    const reads: string[] = [];
    const config = loadRelayConfig({ ...BASE, DISCORD_SECRET_ARN: arn }, async (asked) => {
      reads.push(asked);
      return JSON.stringify({ DISCORD_BOT_TOKEN: 'token-from-secret' });
    });

    expect(await config.token()).toBe('token-from-secret');
    expect((await config.core.secrets()).DISCORD_BOT_TOKEN).toBe('token-from-secret');
    expect(reads).toEqual([arn]);
  });

  it.each([
    [{ ...BASE }, /DISCORD_BOT_TOKEN/],
    [{ ...BASE, DISCORD_BOT_TOKEN: 'token', TABLE_NAME: '' }, /TABLE_NAME/],
    [
      { TABLE_NAME: 'community', MEMBER_KEY: BASE.MEMBER_KEY, DISCORD_BOT_TOKEN: 'token' },
      /DISCORD_LATER_FUNCTION_NAME/,
    ],
    [{ ...BASE, DISCORD_BOT_TOKEN: 'token', RELAY_HEALTH_PORT: 'http' }, /RELAY_HEALTH_PORT/],
    [{ ...BASE, DISCORD_BOT_TOKEN: 'token', RELAY_HEALTH_PORT: '70000' }, /RELAY_HEALTH_PORT/],
    [{ ...BASE, DISCORD_BOT_TOKEN: 'token', DISCORD_API_URL: 'not a url' }, /DISCORD_API_URL/],
  ])('fails naming the variable: %o', (env, named) => {
    expect(() => loadRelayConfig(env)).toThrow(named);
  });
});
