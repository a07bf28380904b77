import { describe, expect, it } from 'vitest';
import { DEFAULT_SLACK_API_URL, loadSlackConfig } from '../../bots/slack/config.js';
import { ConfigError } from '../../shared/core/errors.js';

const ENV = {
  TABLE_NAME: 'community',
  SLACK_SIGNING_SECRET: 'secret',
  SLACK_BOT_TOKEN: 'xoxb-token',
  SLACK_BOT_ID: 'B0BOT',
  SLACK_BOT_USER_ID: 'U0BOT',
};

describe('Slack config', () => {
  it('reads the settings once into a frozen object, with the default Web API root', async () => {
    const config = loadSlackConfig(ENV);

    expect(Object.isFrozen(config)).toBe(true);
    expect(config).toMatchObject({ botId: 'B0BOT', botUserId: 'U0BOT', apiUrl: DEFAULT_SLACK_API_URL });
    expect(config.store).toEqual({ tableName: 'community' });
    expect(await config.secrets()).toEqual({ SLACK_SIGNING_SECRET: 'secret', SLACK_BOT_TOKEN: 'xoxb-token' });
  });

  it('ends SLACK_API_URL with a slash, as the WebClient appends method names to it', () => {
    expect(loadSlackConfig({ ...ENV, SLACK_API_URL: 'http://127.0.0.1:4000/api' }).apiUrl).toBe(
      'http://127.0.0.1:4000/api/',
    );
  });

  it.each(['TABLE_NAME', 'SLACK_BOT_ID', 'SLACK_BOT_USER_ID', 'SLACK_SIGNING_SECRET'])(
    'fails at start naming a missing %s',
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

  it('fails naming SLACK_API_URL when it is not a URL', () => {
    expect(() => loadSlackConfig({ ...ENV, SLACK_API_URL: 'not a url' })).toThrow('SLACK_API_URL');
  });
});
