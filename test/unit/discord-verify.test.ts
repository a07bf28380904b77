import { describe, expect, it } from 'vitest';
import { SANDBOX_PUBLIC_KEY, signInteraction } from '../../bots/discord/sandbox.js';
import { createInteractionVerifier, isFresh } from '../../bots/discord/verify.js';
import { InvalidSignatureError } from '../../shared/lambda/edge.js';

const NOW = new Date('2026-11-20T12:00:00Z');
const TIMESTAMP = String(NOW.getTime() / 1000);
const BODY = '{"type":1,"id":"1"}';

describe('createInteractionVerifier', () => {
  const verify = createInteractionVerifier(SANDBOX_PUBLIC_KEY);

  it("accepts Discord's signature over timestamp + body", async () => {
    const signature = signInteraction(BODY, TIMESTAMP);

    await expect(verify(BODY, { signature, timestamp: TIMESTAMP }, NOW)).resolves.toBeUndefined();
  });

  it('refuses the same signature with another timestamp, since both are signed together', async () => {
    const signature = signInteraction(BODY, TIMESTAMP);

    await expect(verify(BODY, { signature, timestamp: String(Number(TIMESTAMP) + 1) }, NOW)).rejects.toThrow(
      InvalidSignatureError,
    );
  });

  it('refuses a signature that is not hex, and missing headers', async () => {
    await expect(verify(BODY, { signature: 'zz', timestamp: TIMESTAMP }, NOW)).rejects.toThrow(
      InvalidSignatureError,
    );
    await expect(verify(BODY, { signature: undefined, timestamp: TIMESTAMP }, NOW)).rejects.toThrow(
      /Missing X-Signature-Ed25519/,
    );
  });

  it('refuses a correctly signed request older than five minutes (a replay)', async () => {
    const old = String(Number(TIMESTAMP) - 301);

    await expect(
      verify(BODY, { signature: signInteraction(BODY, old), timestamp: old }, NOW),
    ).rejects.toThrow(/Stale/);
  });
});

describe('isFresh', () => {
  it('allows five minutes either way and nothing that is not whole seconds', () => {
    const seconds = Number(TIMESTAMP);

    expect(isFresh(String(seconds - 300), NOW)).toBe(true);
    expect(isFresh(String(seconds + 300), NOW)).toBe(true);
    expect(isFresh(String(seconds - 301), NOW)).toBe(false);
    expect(isFresh(String(seconds + 301), NOW)).toBe(false);
    expect(isFresh(`${seconds}.5`, NOW)).toBe(false);
    expect(isFresh('', NOW)).toBe(false);
  });
});
