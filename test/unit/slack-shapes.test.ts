import { describe, expect, it } from 'vitest';
import { checkBoltShape, payloadIds } from '../../bots/slack/shapes.js';

const user = { id: 'U1', team_id: 'T1' };

describe('routing a Slack payload the way Bolt will', () => {
  it.each([
    [{ ssl_check: '1', token: 'x' }, 'ssl_check'],
    [{ type: 'url_verification', challenge: 'abc' }, 'url_verification'],
    [{ type: 'event_callback', team_id: 'T1', event: { type: 'message' } }, 'event'],
    [{ command: '/community', team_id: 'T1' }, 'command'],
    [{ type: 'block_suggestion', user }, 'options'],
    [{ type: 'block_actions', user, actions: [{ type: 'button' }] }, 'action'],
    [{ type: 'dialog_submission', user }, 'action'],
    [{ type: 'shortcut', user }, 'shortcut'],
    [{ type: 'message_action', user, channel: { id: 'C1' } }, 'shortcut'],
    [{ type: 'view_closed', user, view: { id: 'V1' } }, 'view'],
  ])('routes %j to %s', (body, route) => {
    expect(checkBoltShape(body)).toMatchObject({ route });
  });

  it('ignores, without calling it unreadable, a payload Bolt routes nowhere', () => {
    expect(checkBoltShape({ type: 'app_rate_limited', team_id: 'T1' })).toEqual({
      ignored: 'payload of type app_rate_limited is not one Bolt routes',
    });
  });

  it.each([
    ['an event that is a number', { event: 5 }, 'event.event'],
    ['a channel that is null', { event: { type: 'message', channel: null } }, 'event.event.channel'],
    [
      'a team id Bolt would look up on Object.prototype',
      { team_id: 'toString', event: { type: 'x' } },
      'team_id',
    ],
    ['an interaction without its user', { type: 'shortcut' }, 'shortcut.user'],
    ['a view that is a string', { type: 'view_submission', user, view: 'V1' }, 'view.view'],
    ['actions that are an object', { user, actions: { type: 'button' } }, 'action.actions'],
    ['a function_data without execution_id', { user, actions: [], function_data: {} }, 'function_data'],
    ['a repeated command name', { command: ['/community', '/community'] }, 'command.command'],
  ])('finds %s unreadable', (_case, body, field) => {
    const result = checkBoltShape(body);

    expect(result).toMatchObject({ unreadable: true });
    expect('ignored' in result && result.ignored).toContain(field);
  });

  it('names a delivery by its event_id or trigger_id, cut short, and never by anything else', () => {
    expect(payloadIds({ event_id: 'Ev1', trigger_id: 'x'.repeat(500), text: 'secret' })).toEqual({
      eventId: 'Ev1',
      triggerId: `${'x'.repeat(80)}...`,
    });
    expect(payloadIds({ event_id: ['Ev1'] })).toEqual({});
  });
});
