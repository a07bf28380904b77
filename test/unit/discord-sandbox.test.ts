import { describe, expect, it } from 'vitest';
import { isModerator } from '../../bots/discord/moderators.js';
import { parseInteraction, toCommandInvoked } from '../../bots/discord/parse.js';
import { discordSandbox, SANDBOX_GUILD_ID } from '../../bots/discord/sandbox.js';
import type { ReceivedRequest } from '../../shared/platform/fake-server.js';
import type { SandboxAction } from '../../shared/platform/sandbox.js';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const STATS: SandboxAction = {
  kind: 'command',
  user: 'modsam',
  channel: 'general',
  text: '/community stats',
};

function interactionOf(action: SandboxAction, now = NOW) {
  return parseInteraction(discordSandbox.sign(action, now).body);
}

describe('discordSandbox.sign', () => {
  it('gives the same delivery for the same action at the same instant (a redelivery)', () => {
    expect(discordSandbox.sign(STATS, NOW)).toEqual(discordSandbox.sign(STATS, NOW));
  });

  it('makes the same command said later a new interaction, dated by its snowflake', () => {
    const later = new Date(NOW.getTime() + 1000);
    const first = toCommandInvoked(interactionOf(STATS));
    const second = toCommandInvoked(interactionOf(STATS, later));

    expect(second.id).not.toBe(first.id);
    expect(first.occurredAt).toEqual(NOW);
    expect(second.occurredAt).toEqual(later);
  });

  it('sends the subcommand whether or not the text repeats /community', () => {
    const bare = toCommandInvoked(interactionOf({ ...STATS, text: 'stats' }));
    const full = toCommandInvoked(interactionOf(STATS));

    expect([bare.args, full.args]).toEqual(['stats', 'stats']);
  });

  it('gives members named mod... Manage Server, and nobody else', () => {
    expect(isModerator(interactionOf(STATS))).toBe(true);
    expect(isModerator(interactionOf({ ...STATS, user: 'alice' }))).toBe(false);
  });

  it('puts a command in the sandbox guild, or in a DM for the channel "dm"', () => {
    expect(toCommandInvoked(interactionOf(STATS)).location.space.id).toBe(SANDBOX_GUILD_ID);
    expect(toCommandInvoked(interactionOf({ ...STATS, channel: 'dm' })).location.space.id).toBe('@me');
  });

  it('signs with the timestamp of the delivery', () => {
    const { headers } = discordSandbox.sign(STATS, NOW);

    expect(headers['x-signature-timestamp']).toBe(String(NOW.getTime() / 1000));
    expect(headers['x-signature-ed25519']).toMatch(/^[0-9a-f]{128}$/);
  });

  it('refuses messages, reactions and joins, which Discord sends over the gateway only', () => {
    expect(() => discordSandbox.sign({ kind: 'join', user: 'carol', channel: 'general' })).toThrow(/gateway/);
  });
});

describe('discordSandbox.describe', () => {
  const request = (method: string, path: string, payload: unknown): ReceivedRequest => ({
    method,
    path,
    payload,
    query: new URLSearchParams(),
    headers: {},
    body: JSON.stringify(payload),
  });

  it('says which commands were registered where', () => {
    const put = request('PUT', '/v10/applications/1/guilds/2/commands', [{ name: 'community' }]);

    expect(discordSandbox.describe(put)).toBe('registered /community in guild 2');
  });

  it('says what the bot posted, on one line', () => {
    const followUp = request('POST', '/v10/webhooks/1/token', { content: '**Hi**\nthere' });

    expect(discordSandbox.describe(followUp)).toBe('said: **Hi** there');
  });
});
