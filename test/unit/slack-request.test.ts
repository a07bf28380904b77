import { describe, expect, it } from 'vitest';
import { MAX_CLOCK_SKEW_SECONDS, readSlackRequest } from '../../bots/slack/request.js';
import { signSlackBody } from '../../bots/slack/sandbox.js';
import { MalformedRequestError } from '../../shared/core/errors.js';
import { InvalidSignatureError } from '../../shared/lambda/edge.js';
import { httpEvent } from '../support/lambda.js';

const SECRET = 'unit-test-signing-secret';
const NOW = new Date('2026-03-01T12:00:00Z');
const NOW_SECONDS = NOW.getTime() / 1000;

function delivery(body: string, contentType: string, timestamp = NOW_SECONDS, secret = SECRET) {
  return httpEvent('/slack/events', body, {
    'Content-Type': contentType,
    'X-Slack-Request-Timestamp': String(timestamp),
    'X-Slack-Signature': signSlackBody(secret, timestamp, body),
  });
}

describe('reading a Slack request', () => {
  it('accepts a signed JSON body and hands it on with a canonical content type', () => {
    const event = delivery('{"type":"event_callback"}', 'application/json; charset=utf-8');

    const request = readSlackRequest(event, SECRET, NOW);

    expect(request.event.headers['content-type']).toBe('application/json');
    expect(request.event.body).toBe('{"type":"event_callback"}');
    expect(request.payload).toEqual({ type: 'event_callback' });
  });

  it('accepts timestamps up to five minutes away on either side, and no further', () => {
    const body = '{"type":"event_callback"}';
    const at = (offset: number) => () =>
      readSlackRequest(delivery(body, 'application/json', NOW_SECONDS + offset), SECRET, NOW);

    expect(at(-MAX_CLOCK_SKEW_SECONDS)).not.toThrow();
    expect(at(MAX_CLOCK_SKEW_SECONDS)).not.toThrow();
    expect(at(-MAX_CLOCK_SKEW_SECONDS - 1)).toThrow(InvalidSignatureError);
    expect(at(MAX_CLOCK_SKEW_SECONDS + 1)).toThrow(InvalidSignatureError);
  });

  it('refuses a wrong secret and a timestamp that is not a number', () => {
    const body = 'command=%2Fcommunity';
    const garbled = { ...delivery(body, 'application/x-www-form-urlencoded') };
    garbled.headers = { ...garbled.headers, 'x-slack-request-timestamp': '12e3' };

    expect(() =>
      readSlackRequest(
        delivery(body, 'application/x-www-form-urlencoded', NOW_SECONDS, 'other'),
        SECRET,
        NOW,
      ),
    ).toThrow(InvalidSignatureError);
    expect(() => readSlackRequest(garbled, SECRET, NOW)).toThrow(InvalidSignatureError);
  });

  it('decodes a base64 body as UTF-8 before checking the signature', () => {
    const body = '{"text":"naïve ☕"}';
    const event = delivery(body, 'application/json');

    const request = readSlackRequest(
      { ...event, body: Buffer.from(body).toString('base64'), isBase64Encoded: true },
      SECRET,
      NOW,
    );

    expect(request.event).toMatchObject({ body, isBase64Encoded: false });
  });

  it('refuses a form whose payload field is not a JSON object', () => {
    const body = `payload=${encodeURIComponent('"just a string"')}`;

    expect(() => readSlackRequest(delivery(body, 'application/x-www-form-urlencoded'), SECRET, NOW)).toThrow(
      MalformedRequestError,
    );
  });

  it('hands on the form fields as the receiver reads them: a repeated field is a list', () => {
    const body = 'command=%2Fcommunity&text=stats&text=help';

    const request = readSlackRequest(delivery(body, 'application/x-www-form-urlencoded'), SECRET, NOW);

    expect({ ...request.payload }).toEqual({ command: '/community', text: ['stats', 'help'] });
  });
});
