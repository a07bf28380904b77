import { describe, expect, it } from 'vitest';
import { DEFAULT_SLACK_API_URL, loadSlackConfig, requireBotIdentity } from '../../bots/slack/config.js';
import { loadSlackOAuthConfig } from '../../bots/slack/oauth/config.js';
import { slackSecretSource } from '../../bots/slack/secrets.js';
import { ConfigError } from '../../shared/core/errors.js';

const ENV = {
  TABLE_NAME: 'community',
  MEMBER_KEY: 'a-member-key-of-at-least-thirty-two-chars',
  SLACK_SIGNING_SECRET: 'secret',
  SLACK_BOT_TOKEN: 'xoxb-token',
  SLACK_BOT_ID: 'B0BOT',
  SLACK_BOT_USER_ID: 'U0BOT',
};

describe('Slack config', () => {
  it('reads the settings once into a frozen object, with the default Web API root', async () => {
    const config = loadSlackConfig(ENV);

    expect(Object.isFrozen(config)).toBe(true);
    expect(config).toMatchObject({
      bot: { botId: 'B0BOT', botUserId: 'U0BOT' },
      apiUrl: DEFAULT_SLACK_API_URL,
      spacesMode: 'approved',
    });
    expect(config.store).toEqual({ tableName: 'community' });
    expect(await config.secrets()).toEqual({ signingSecret: 'secret', botToken: 'xoxb-token' });
  });

  it('serves many workspaces without SLACK_BOT_TOKEN: no bot ids needed, each installation has its own', async () => {
    const { SLACK_BOT_TOKEN: _token, SLACK_BOT_ID: _id, SLACK_BOT_USER_ID: _user, ...many } = ENV;

    const config = loadSlackConfig(many);

    expect(config.bot).toBeUndefined();
    expect(await config.secrets()).toEqual({ signingSecret: 'secret' });
    expect(() => requireBotIdentity(config)).toThrow('SLACK_BOT_ID');
  });

  it('refuses a SLACK_BOT_TOKEN that is not a bot token (a placeholder would fail every call)', () => {
    expect(() => loadSlackConfig({ ...ENV, SLACK_BOT_TOKEN: 'set-me' })).toThrow(
      /SLACK_BOT_TOKEN is not a bot token/,
    );
  });

  it('reads SPACES_MODE, and fails naming it when it is not a mode', () => {
    expect(loadSlackConfig({ ...ENV, SPACES_MODE: 'open' }).spacesMode).toBe('open');
    expect(() => loadSlackConfig({ ...ENV, SPACES_MODE: 'everyone' })).toThrow('SPACES_MODE');
  });

  it('ends SLACK_API_URL with a slash, as the WebClient appends method names to it', () => {
    expect(loadSlackConfig({ ...ENV, SLACK_API_URL: 'http://127.0.0.1:4000/api' }).apiUrl).toBe(
      'http://127.0.0.1:4000/api/',
    );
  });

  it.each(['TABLE_NAME', 'SLACK_BOT_ID', 'SLACK_BOT_USER_ID', 'SLACK_SIGNING_SECRET'])(
    'fails at start naming a missing %s (the ids are needed with SLACK_BOT_TOKEN)',
    (name) => {
      const env: Record<string, string | undefined> = { ...ENV, [name]: undefined };

      expect(() => loadSlackConfig(env)).toThrow(ConfigError);
      expect(() => loadSlackConfig(env)).toThrow(name);
    },
  );

  it('takes the secrets from SLACK_SECRET_ARN in AWS, without reading it at start', () => {
    const { SLACK_SIGNING_SECRET: _secret, SLACK_BOT_TOKEN: _token, ...ids } = ENV;

    expect(() =>
      loadSlackConfig({ ...ids, SLACK_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:s' }),
    ).not.toThrow();
  });

  it('reads the secret JSON once: the token may be empty (many workspaces), never a placeholder', async () => {
    // Prepare: the secret as Secrets Manager would hand it over, through a reader counting its reads.
    const secretOf = (values: Record<string, string>) => {
      const reads: string[] = [];
      const source = slackSecretSource({ SLACK_SECRET_ARN: 'arn:secret' }, async (arn) => {
        reads.push(arn);
        return JSON.stringify(values);
      });
      return { source, reads };
    };
    const many = secretOf({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: '' });
    const placeholder = secretOf({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'set-me' });
    const unsigned = secretOf({ SLACK_BOT_TOKEN: 'xoxb-1' });

    // Act
    const values = [await many.source(), await many.source()];

    // Assess
    expect(values).toEqual([{ signingSecret: 's' }, { signingSecret: 's' }]);
    expect(many.reads).toEqual(['arn:secret']);
    await expect(placeholder.source()).rejects.toThrow(/not a bot token/);
    await expect(unsigned.source()).rejects.toThrow(/no value for SLACK_SIGNING_SECRET/);
  });

  it("posts response_urls to Slack's hooks unless SLACK_HOOKS_URL maps them elsewhere", () => {
    expect(loadSlackConfig(ENV).hooksUrl).toBe('https://hooks.slack.com');
    expect(loadSlackConfig({ ...ENV, SLACK_HOOKS_URL: 'http://127.0.0.1:4000/' }).hooksUrl).toBe(
      'http://127.0.0.1:4000',
    );
    expect(() => loadSlackConfig({ ...ENV, SLACK_HOOKS_URL: 'not a url' })).toThrow('SLACK_HOOKS_URL');
  });

  it('hands later work to its own function, named by Lambda', () => {
    expect(loadSlackConfig(ENV).later).toEqual({});
    expect(
      loadSlackConfig({ ...ENV, AWS_LAMBDA_FUNCTION_NAME: 'community-slack', LAMBDA_ENDPOINT: 'http://x' })
        .later,
    ).toEqual({ functionName: 'community-slack', endpoint: 'http://x' });
  });

  it('fails naming MEMBER_KEY and MEMBERS_SECRET_ARN when neither is set, and refuses a short key', () => {
    expect(typeof loadSlackConfig(ENV).pseudonyms).toBe('function');
    expect(() => loadSlackConfig({ ...ENV, MEMBER_KEY: undefined })).toThrow(
      /MEMBER_KEY.*MEMBERS_SECRET_ARN/,
    );
    expect(() => loadSlackConfig({ ...ENV, MEMBER_KEY: 'short' })).toThrow(
      /MEMBER_KEY must have at least 32/,
    );
  });

  it('fails naming SLACK_API_URL when it is not a URL', () => {
    expect(() => loadSlackConfig({ ...ENV, SLACK_API_URL: 'not a url' })).toThrow('SLACK_API_URL');
  });
});

describe('Slack installation (OAuth) config', () => {
  const OAUTH = {
    TABLE_NAME: 'community',
    SLACK_CLIENT_ID: '1000000000.2000000000',
    SLACK_CLIENT_SECRET: 'client-secret',
    SLACK_STATE_SECRET: 'a-state-secret-of-at-least-thirty-two-characters',
  };

  it('offers installation only with SLACK_CLIENT_ID, reading its secrets on first use', async () => {
    const { SLACK_CLIENT_ID: _id, ...unset } = OAUTH;

    const config = loadSlackOAuthConfig(OAUTH);

    expect(loadSlackOAuthConfig(unset).app).toBeUndefined();
    expect(config.app?.clientId).toBe('1000000000.2000000000');
    expect(await config.app?.secrets()).toEqual({
      SLACK_CLIENT_SECRET: 'client-secret',
      SLACK_STATE_SECRET: 'a-state-secret-of-at-least-thirty-two-characters',
    });
    expect(config).toMatchObject({
      authorizeUrl: 'https://slack.com/oauth/v2/authorize',
      apiUrl: DEFAULT_SLACK_API_URL,
      spacesMode: 'approved',
    });
  });

  it('fails at start naming SLACK_CLIENT_ID or SLACK_REDIRECT_URI when it is not one', () => {
    expect(() => loadSlackOAuthConfig({ ...OAUTH, SLACK_CLIENT_ID: 'abc' })).toThrow('SLACK_CLIENT_ID');
    expect(() => loadSlackOAuthConfig({ ...OAUTH, SLACK_REDIRECT_URI: 'not a url' })).toThrow(
      'SLACK_REDIRECT_URI',
    );
  });
});
