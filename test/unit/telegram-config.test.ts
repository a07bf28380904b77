import { describe, expect, it } from 'vitest';
import { botInfo } from '../../bots/telegram/app.js';
import { botIdFromToken, loadTelegramConfig } from '../../bots/telegram/config.js';
import { loadWebhookSetup } from '../../bots/telegram/set-webhook.js';

const ENV = {
  TABLE_NAME: 'community',
  MEMBER_KEY: 'a-member-key-of-at-least-thirty-two-chars',
  TELEGRAM_BOT_TOKEN: '123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11',
  TELEGRAM_SECRET_TOKEN: 'secret_token-1',
  TELEGRAM_BOT_USERNAME: '@community_bot',
};

describe('loadTelegramConfig', () => {
  it('reads the settings once into a frozen object, with Telegram defaults', async () => {
    const config = loadTelegramConfig(ENV);

    expect(Object.isFrozen(config)).toBe(true);
    expect(config).toMatchObject({
      botUsername: 'community_bot',
      apiRoot: 'https://api.telegram.org',
      store: { tableName: 'community' },
    });
    expect(await config.secrets()).toEqual({
      TELEGRAM_BOT_TOKEN: ENV.TELEGRAM_BOT_TOKEN,
      TELEGRAM_SECRET_TOKEN: ENV.TELEGRAM_SECRET_TOKEN,
    });
  });

  it('drops the trailing slash grammY refuses from TELEGRAM_API_ROOT', () => {
    expect(loadTelegramConfig({ ...ENV, TELEGRAM_API_ROOT: 'http://127.0.0.1:8081' }).apiRoot).toBe(
      'http://127.0.0.1:8081',
    );
    expect(loadTelegramConfig({ ...ENV, TELEGRAM_API_ROOT: 'http://local/tg/' }).apiRoot).toBe(
      'http://local/tg',
    );
  });

  it('fails at start naming the missing or invalid variable', () => {
    expect(() => loadTelegramConfig({ ...ENV, TELEGRAM_BOT_USERNAME: '' })).toThrow(/TELEGRAM_BOT_USERNAME/);
    expect(() => loadTelegramConfig({ ...ENV, TELEGRAM_BOT_USERNAME: 'not a name' })).toThrow(
      /TELEGRAM_BOT_USERNAME/,
    );
    expect(() => loadTelegramConfig({ ...ENV, TELEGRAM_API_ROOT: 'nope' })).toThrow(/TELEGRAM_API_ROOT/);
    expect(() => loadTelegramConfig({ ...ENV, TABLE_NAME: undefined })).toThrow(/TABLE_NAME/);
    expect(() => loadTelegramConfig({ ...ENV, MEMBER_KEY: undefined })).toThrow(
      /MEMBER_KEY.*MEMBERS_SECRET_ARN/,
    );
    expect(() => loadTelegramConfig({ ...ENV, MEMBER_KEY: 'short' })).toThrow(
      /MEMBER_KEY must have at least 32/,
    );
    expect(() => loadTelegramConfig({ ...ENV, TELEGRAM_SECRET_TOKEN: undefined })).toThrow(
      /TELEGRAM_SECRET_TOKEN.*TELEGRAM_SECRET_ARN/,
    );
  });

  it('defers the secrets to TELEGRAM_SECRET_ARN in AWS, without reading them at start', () => {
    const { TELEGRAM_BOT_TOKEN: _t, TELEGRAM_SECRET_TOKEN: _s, ...plain } = ENV;

    const config = loadTelegramConfig({ ...plain, TELEGRAM_SECRET_ARN: 'arn:aws:secretsmanager:x' });

    expect(typeof config.secrets).toBe('function');
  });
});

describe('bot identity from the token', () => {
  it('takes the bot id from the token and fills getMe fields so grammY needs no getMe call', () => {
    expect(botIdFromToken(ENV.TELEGRAM_BOT_TOKEN)).toBe(123456);
    expect(botInfo(ENV.TELEGRAM_BOT_TOKEN, 'community_bot')).toMatchObject({
      id: 123456,
      is_bot: true,
      username: 'community_bot',
    });
    expect(() => botIdFromToken('not-a-token')).toThrow(/TELEGRAM_BOT_TOKEN/);
  });
});

describe('loadWebhookSetup (set-webhook CLI)', () => {
  it('takes the URL argument and the token settings', () => {
    expect(loadWebhookSetup(ENV, ['https://example.com/telegram/webhook'])).toEqual({
      url: 'https://example.com/telegram/webhook',
      token: ENV.TELEGRAM_BOT_TOKEN,
      secretToken: ENV.TELEGRAM_SECRET_TOKEN,
      apiRoot: 'https://api.telegram.org',
    });
    expect(() => loadWebhookSetup(ENV, [])).toThrow(/webhook URL/);
    expect(() => loadWebhookSetup({ ...ENV, TELEGRAM_SECRET_TOKEN: '' }, ['https://x.y/z'])).toThrow(
      /TELEGRAM_SECRET_TOKEN/,
    );
  });
});
