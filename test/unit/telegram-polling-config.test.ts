import { describe, expect, it } from 'vitest';
import { loadTelegramPollingConfig } from '../../infra/local/telegram-polling.js';

const REAL = { TELEGRAM_BOT_TOKEN: '123456:real-token', TELEGRAM_SECRET_TOKEN: 'local-secret' };

describe('loadTelegramPollingConfig (long polling in npm run dev)', () => {
  it('polls with a bot token and no public URL', () => {
    expect(loadTelegramPollingConfig(REAL)).toEqual({
      token: '123456:real-token',
      secretToken: 'local-secret',
      apiRoot: 'https://api.telegram.org',
    });
  });

  it.each([
    ['no bot token (the sandbox)', {}],
    ['an empty bot token', { ...REAL, TELEGRAM_BOT_TOKEN: ' ' }],
    [
      'a public URL Telegram delivers to',
      { ...REAL, TELEGRAM_WEBHOOK_URL: 'https://bot.example.org/telegram/webhook' },
    ],
  ])('does not poll with %s', (_case, env) => {
    expect(loadTelegramPollingConfig(env)).toBeUndefined();
  });

  it('names the missing secret token the deliveries are signed with', () => {
    expect(() => loadTelegramPollingConfig({ TELEGRAM_BOT_TOKEN: '123456:real-token' })).toThrow(
      'TELEGRAM_SECRET_TOKEN',
    );
  });
});
