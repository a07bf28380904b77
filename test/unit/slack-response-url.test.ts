import { describe, expect, it } from 'vitest';
import { hookTarget } from '../../bots/slack/response-url.js';

const FAKE = 'http://127.0.0.1:4000';

describe('Slack response_url: only posted to on Slack hooks', () => {
  it.each([
    ['https://hooks.slack.com/commands/T1/2/abc', `${FAKE}/commands/T1/2/abc`],
    ['https://hooks.slack.com/actions/T1/2/abc', `${FAKE}/actions/T1/2/abc`],
    ['https://hooks.slack.com/app/T1/2/abc', `${FAKE}/app/T1/2/abc`],
    ['https://hooks.slack.com:443/commands/T1/2/abc', `${FAKE}/commands/T1/2/abc`],
  ])('maps %s to the hooks URL in use', (url, target) => {
    expect(hookTarget(url, FAKE)).toBe(target);
    expect(hookTarget(url, 'https://hooks.slack.com')).toBe(target.replace(FAKE, 'https://hooks.slack.com'));
  });

  it.each([
    'https://evil.example/commands/T1/2/abc',
    'https://hooks.slack.com.evil.example/commands/T1/2/abc',
    'https://evil.example/?https://hooks.slack.com/commands/T1/2/abc',
    'http://hooks.slack.com/commands/T1/2/abc',
    'https://user:secret@hooks.slack.com/commands/T1/2/abc',
    'https://hooks.slack.com/services/T1/B1/abc',
    'https://hooks.slack.com/commands/../api/chat.postMessage',
    'https://hooks.slack.com/commands/%2e%2e/api/chat.postMessage',
    'https://hooks.slack.com',
    'hooks.slack.com/commands/T1/2/abc',
    '',
  ])('refuses %s', (url) => {
    expect(hookTarget(url, FAKE)).toBeUndefined();
  });
});
