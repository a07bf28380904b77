import { describe, expect, it } from 'vitest';
import { translateDispatch } from '../../bots/discord/gateway/translate.js';
import { isModerator } from '../../bots/discord/moderators.js';
import {
  parseInteraction,
  toButtonPressed,
  toCommandInvoked,
  toFormSubmitted,
} from '../../bots/discord/parse.js';
import { renderPrivate } from '../../bots/discord/render.js';
import {
  discordSandbox,
  modalSubmitInteraction,
  pressInteraction,
  SANDBOX_APPLICATION_ID,
  SANDBOX_GATEWAY_PATH,
  SANDBOX_GUILD_ID,
  sandboxGuildId,
  sandboxUserId,
} from '../../bots/discord/sandbox.js';
import { gatewayDispatchOf } from '../../bots/discord/sandbox-gateway.js';
import type { ReceivedRequest } from '../../shared/platform/fake-server.js';
import { readPressString, type SandboxAction } from '../../shared/platform/sandbox.js';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const STATS: SandboxAction = {
  kind: 'command',
  user: 'modsam',
  channel: 'general',
  text: '/community stats',
};

const APP = SANDBOX_APPLICATION_ID;

function interactionOf(action: SandboxAction, now = NOW) {
  return parseInteraction(discordSandbox.sign(action, now).body);
}

describe('discordSandbox.sign', () => {
  it('gives the same delivery for the same action at the same instant (a redelivery)', () => {
    expect(discordSandbox.sign(STATS, NOW)).toEqual(discordSandbox.sign(STATS, NOW));
  });

  it('makes the same command said later a new interaction, dated by its snowflake', () => {
    const later = new Date(NOW.getTime() + 1000);
    const first = toCommandInvoked(interactionOf(STATS), APP);
    const second = toCommandInvoked(interactionOf(STATS, later), APP);

    expect(second.id).not.toBe(first.id);
    expect(first.occurredAt).toEqual(NOW);
    expect(second.occurredAt).toEqual(later);
  });

  it('sends the subcommand whether or not the text repeats /community', () => {
    const bare = toCommandInvoked(interactionOf({ ...STATS, text: 'stats' }), APP);
    const full = toCommandInvoked(interactionOf(STATS), APP);

    expect([bare.input, full.input]).toEqual([
      { path: ['stats'], options: {} },
      { path: ['stats'], options: {} },
    ]);
  });

  it('fills in the options as the Discord client would: the rest of the line is the note', () => {
    const feedback = toCommandInvoked(
      interactionOf({ ...STATS, text: '/community feedback the "new" editor' }),
      APP,
    );
    const nonsense = toCommandInvoked(interactionOf({ ...STATS, text: 'nonsense here' }), APP);
    const empty = toCommandInvoked(interactionOf({ ...STATS, text: '/community' }), APP);

    expect(feedback.input).toEqual({ path: ['feedback'], options: { note: 'the "new" editor' } });
    expect(nonsense.input).toEqual({ path: ['nonsense'], options: {} });
    expect(empty.input).toEqual({ path: ['help'], options: {} });
  });

  it('gives members named mod..., the owner olga and the admin Manage Server in the payload, nobody else', () => {
    expect(isModerator(interactionOf(STATS))).toBe(true);
    expect(isModerator(interactionOf({ ...STATS, user: 'olga' }))).toBe(true);
    expect(isModerator(interactionOf({ ...STATS, user: 'modmia' }))).toBe(true);
    expect(isModerator(interactionOf({ ...STATS, user: 'alice' }))).toBe(false);
  });

  it('puts a command in the sandbox guild (the second one for space b), or in a DM for the channel "dm"', () => {
    expect(toCommandInvoked(interactionOf(STATS), APP).location).toMatchObject({
      space: { id: SANDBOX_GUILD_ID },
    });
    expect(toCommandInvoked(interactionOf({ ...STATS, space: 'b' }), APP).location).toMatchObject({
      space: { id: sandboxGuildId('b') },
    });
    expect(sandboxGuildId('b')).not.toBe(SANDBOX_GUILD_ID);
    expect(toCommandInvoked(interactionOf({ ...STATS, channel: 'dm' }), APP).location).toMatchObject({
      space: { id: '@me' },
      direct: true,
    });
  });

  it('presses buttons and submits modals the handler reads back', () => {
    const press = parseInteraction(
      JSON.stringify(
        pressInteraction({ user: 'modsam', channel: 'dm', customId: 'feedback.read:1/abc' }, NOW),
      ),
    );
    const submit = parseInteraction(
      JSON.stringify(
        modalSubmitInteraction(
          { user: 'bob', channel: 'general', customId: 'feedback:', values: { note: 'hi' } },
          NOW,
        ),
      ),
    );

    expect(toButtonPressed(press, APP)).toMatchObject({
      actionId: 'feedback.read',
      value: '1/abc',
      member: { id: sandboxUserId('modsam') },
      location: { direct: true },
    });
    expect(toFormSubmitted(submit, APP)).toMatchObject({ formId: 'feedback', values: { note: 'hi' } });
  });

  it('signs with the timestamp of the delivery', () => {
    const { headers } = discordSandbox.sign(STATS, NOW);

    expect(headers['x-signature-timestamp']).toBe(String(NOW.getTime() / 1000));
    expect(headers['x-signature-ed25519']).toMatch(/^[0-9a-f]{128}$/);
  });

  it('sends messages, reactions and joins, which Discord sends over the gateway only, to the gateway stand-in', () => {
    const join = discordSandbox.sign({ kind: 'join', user: 'carol', channel: 'general' }, NOW);

    expect(join.path).toBe(SANDBOX_GATEWAY_PATH);
    expect(join.headers).not.toHaveProperty('x-signature-ed25519');
    expect(JSON.parse(join.body)).toEqual(
      gatewayDispatchOf({ kind: 'join', user: 'carol', channel: 'general' }, NOW),
    );
  });
});

describe('gatewayDispatchOf', () => {
  it('turns what `npm run say` acts into the dispatches the gateway ingestion reads, in the space asked for', () => {
    const message = gatewayDispatchOf(
      { kind: 'message', user: 'alice', channel: 'general', text: 'hi', threadOf: '42', space: 'b' },
      NOW,
    );
    const again = gatewayDispatchOf(
      { kind: 'message', user: 'alice', channel: 'general', text: 'hi', messageId: '777' },
      NOW,
    );
    const reaction = gatewayDispatchOf({
      kind: 'reaction',
      user: 'bob',
      channel: 'general',
      messageId: '777',
      emoji: '👍',
    });
    const join = gatewayDispatchOf({ kind: 'join', user: 'dana', channel: 'general' }, NOW);

    expect(translateDispatch(message, NOW)).toMatchObject({
      event: { kind: 'thread_reply', replyToId: '42', location: { space: { id: sandboxGuildId('b') } } },
    });
    expect(translateDispatch(again, NOW)).toMatchObject({ event: { kind: 'message_posted', id: '777' } });
    expect(translateDispatch(reaction, NOW)).toMatchObject({
      event: { kind: 'reaction_added', reaction: '👍' },
    });
    expect(translateDispatch(join, NOW)).toMatchObject({
      event: { kind: 'member_joined', occurredAt: NOW, location: { space: { id: SANDBOX_GUILD_ID } } },
    });
    expect(() => gatewayDispatchOf(STATS)).toThrow(/interactions endpoint/);
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

  it('says what the bot said, whole, and whether privately', () => {
    const later = request('PATCH', '/v10/webhooks/1/token/messages/@original', { content: '**Hi**\nthere' });
    const followUp = request('POST', '/v10/webhooks/1/token', { content: 'Hello all' });
    const post = request('POST', '/v10/channels/42/messages', { content: 'Hello' });

    expect(discordSandbox.describe(later)).toBe('answered later, privately: **Hi**\nthere');
    expect(discordSandbox.describe(followUp)).toBe('followed up publicly: Hello all');
    expect(discordSandbox.describe(post)).toBe('said in channel 42: Hello');
    expect(discordSandbox.describe(request('GET', '/v10/guilds/1/roles', {}))).toBeUndefined();
  });

  it('says what an interaction response told the member', () => {
    const describe = (answer: object) => discordSandbox.describeAnswer?.(JSON.stringify(answer));

    expect(describe({ type: 4, data: { content: 'Hi', flags: 64 } })).toBe('privately: Hi');
    expect(describe({ type: 5, data: { flags: 64 } })).toBe('privately: (thinking…; the answer follows)');
    expect(describe({ type: 9, data: { title: 'Feedback' } })).toBe('opened the form "Feedback"');
    expect(describe({ type: 6 })).toBeUndefined();
  });
});

describe('discordSandbox: pressing a button (npm run say -- --press)', () => {
  const JOIN = { actionId: 'link.join', value: `${'1f2e'.repeat(8)}/${sandboxGuildId('b')}` };

  it('signs a MESSAGE_COMPONENT interaction the handler reads back as the press, in the space asked for', () => {
    const action: SandboxAction = { kind: 'press', user: 'modann', channel: 'general', space: 'b', ...JOIN };

    const signed = discordSandbox.sign(action, NOW);
    const pressed = toButtonPressed(parseInteraction(signed.body), APP);

    expect(signed.path).toBe('/discord/interactions');
    expect(signed.headers['x-signature-ed25519']).toMatch(/^[0-9a-f]{128}$/);
    expect(JSON.parse(signed.body)).toMatchObject({
      type: 3,
      data: { custom_id: `link.join:${JOIN.value}`, component_type: 2 },
    });
    expect(pressed).toMatchObject({
      kind: 'button_pressed',
      actionId: 'link.join',
      value: JOIN.value,
      member: { id: sandboxUserId('modann') },
      location: { space: { id: sandboxGuildId('b') } },
      occurredAt: NOW,
    });
  });

  it('presses a button without a value, on the message named, and in a DM', () => {
    const pressed = toButtonPressed(
      interactionOf({ kind: 'press', user: 'bob', channel: 'dm', actionId: 'link.cancel', messageId: '99' }),
      APP,
    );

    expect(pressed).toMatchObject({ actionId: 'link.cancel', location: { direct: true } });
    expect(pressed).not.toHaveProperty('value');
    expect(
      JSON.parse(
        discordSandbox.sign(
          { kind: 'press', user: 'bob', channel: 'dm', actionId: 'x', messageId: '99' },
          NOW,
        ).body,
      ).message.id,
    ).toBe('99');
  });

  it('gives the same press at the same instant the same interaction id, a later one a new id', () => {
    const action: SandboxAction = { kind: 'press', user: 'modann', channel: 'general', ...JOIN };
    const idOf = (at: Date) => JSON.parse(discordSandbox.sign(action, at).body).id;

    expect(idOf(NOW)).toBe(idOf(NOW));
    expect(idOf(new Date(NOW.getTime() + 1000))).not.toBe(idOf(NOW));
  });

  it('prints each button of what the bot said with the press string that presses it', () => {
    const message = renderPrivate({
      text: 'Join?',
      buttons: [
        { label: 'Join', ...JOIN },
        { label: 'Cancel', actionId: 'link.cancel' },
      ],
    });
    const answered = discordSandbox.describeAnswer?.(JSON.stringify({ type: 4, data: message }));
    const later = discordSandbox.describe({
      method: 'PATCH',
      path: '/v10/webhooks/1/token/messages/@original',
      payload: message,
      query: new URLSearchParams(),
      headers: {},
      body: JSON.stringify(message),
    });
    const press = /\[Join\] --press (\S+)/.exec(answered ?? '')?.[1] ?? '';

    expect(answered).toBe(
      `privately: Join? [Join] --press link.join:${JOIN.value} [Cancel] --press link.cancel`,
    );
    expect(later).toBe(
      `answered later, privately: Join? [Join] --press link.join:${JOIN.value} [Cancel] --press link.cancel`,
    );
    // What was printed presses that very button.
    expect(
      toButtonPressed(
        interactionOf({ kind: 'press', user: 'modann', channel: 'general', ...readPressString(press) }),
        APP,
      ),
    ).toMatchObject(JOIN);
  });
});
