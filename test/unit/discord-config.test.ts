import { describe, expect, it } from 'vitest';
import { loadDiscordConfig } from '../../bots/discord/config.js';
import { loadDiscordRegisterConfig } from '../../bots/discord/register-config.js';
import { ConfigError } from '../../shared/core/errors.js';

const KEY = '34644E1604A072AD26B289C3144061A296487A9E7283039911995F9572E208B1';
const ENV = {
  DISCORD_PUBLIC_KEY: KEY,
  DISCORD_APPLICATION_ID: '1300000000000000001',
  DISCORD_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:discord',
  TABLE_NAME: 'table',
  MEMBER_KEY: 'a-member-key-of-at-least-thirty-two-chars',
  AWS_LAMBDA_FUNCTION_NAME: 'community-discord',
};

describe('loadDiscordConfig', () => {
  it('reads a frozen config with the default API URL, no local endpoints, this function for later jobs, and approved spaces', () => {
    const { secrets, ...config } = loadDiscordConfig(ENV);

    expect(config).toEqual({
      publicKey: KEY.toLowerCase(),
      applicationId: '1300000000000000001',
      apiUrl: 'https://discord.com/api',
      store: { tableName: 'table' },
      later: { functionName: 'community-discord' },
      // Unset SPACES_MODE is the safe side: a new server waits for a link or for ops.
      spacesMode: 'approved',
      // The member key is read on the first event, never at start.
      pseudonyms: expect.any(Function),
      // No worker named: a wake only marks the lease (the schedule still runs the worker).
      wake: {},
    });
    expect(typeof secrets).toBe('function');
    expect(Object.isFrozen(loadDiscordConfig(ENV))).toBe(true);
  });

  it('reads no secret at start: the token comes from the environment, or from the secret on first use', async () => {
    const { DISCORD_SECRET_ARN: _, ...local } = ENV;
    const config = loadDiscordConfig({ ...local, DISCORD_BOT_TOKEN: 'token' });

    expect(await config.secrets()).toEqual({ DISCORD_BOT_TOKEN: 'token' });
    expect(() => loadDiscordConfig(local)).toThrow(/DISCORD_BOT_TOKEN \(or DISCORD_SECRET_ARN in AWS\)/);
  });

  it('drops the trailing slash of DISCORD_API_URL, since the SDK appends /v10/...', () => {
    const config = loadDiscordConfig({ ...ENV, DISCORD_API_URL: 'http://127.0.0.1:4000' });

    expect(config.apiUrl).toBe('http://127.0.0.1:4000');
  });

  it.each(['DISCORD_PUBLIC_KEY', 'DISCORD_APPLICATION_ID', 'TABLE_NAME'])(
    'fails naming a missing %s',
    (name) => {
      expect(() => loadDiscordConfig({ ...ENV, [name]: undefined })).toThrow(
        new ConfigError(`Missing environment variable ${name}`),
      );
    },
  );

  it('reads SPACES_MODE, and refuses a mode it does not know, naming the variable', () => {
    expect(loadDiscordConfig({ ...ENV, SPACES_MODE: 'open' }).spacesMode).toBe('open');
    expect(() => loadDiscordConfig({ ...ENV, SPACES_MODE: 'everyone' })).toThrow(/SPACES_MODE/);
  });

  it('fails naming MEMBER_KEY and MEMBERS_SECRET_ARN when neither is set, and refuses a short key', () => {
    expect(() => loadDiscordConfig({ ...ENV, MEMBER_KEY: undefined })).toThrow(
      /MEMBER_KEY.*MEMBERS_SECRET_ARN/,
    );
    expect(() => loadDiscordConfig({ ...ENV, MEMBER_KEY: 'short' })).toThrow(
      /MEMBER_KEY must have at least 32/,
    );
  });

  it('refuses a public key that is not 32 bytes of hex', () => {
    expect(() => loadDiscordConfig({ ...ENV, DISCORD_PUBLIC_KEY: 'abc123' })).toThrow(/DISCORD_PUBLIC_KEY/);
  });

  it('refuses an API URL that is not a URL, naming it', () => {
    expect(() => loadDiscordConfig({ ...ENV, DISCORD_API_URL: 'not a url' })).toThrow(/DISCORD_API_URL/);
  });
});

describe('loadDiscordRegisterConfig', () => {
  it('takes the bot token from the environment', async () => {
    const config = loadDiscordRegisterConfig({ DISCORD_APPLICATION_ID: '1', DISCORD_BOT_TOKEN: 'token' });

    expect(await config.secrets()).toEqual({ DISCORD_BOT_TOKEN: 'token' });
  });

  it('fails naming the token and the secret ARN when neither is set', () => {
    expect(() => loadDiscordRegisterConfig({ DISCORD_APPLICATION_ID: '1' })).toThrow(
      /DISCORD_BOT_TOKEN \(or DISCORD_SECRET_ARN in AWS\)/,
    );
  });
});
