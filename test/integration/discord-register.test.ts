/** `npm run discord:register`: the command table as Discord's slash command, against the fake API's checks. */
import { DiscordAPIError, REST } from '@discordjs/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commandDefinitions } from '../../bots/discord/commands.js';
import { main, registerCommands } from '../../bots/discord/register.js';
import { loadDiscordRegisterConfig } from '../../bots/discord/register-config.js';
import { discordSandbox, SANDBOX_APPLICATION_ID, SANDBOX_BOT_TOKEN } from '../../bots/discord/sandbox.js';
import { COMMAND_TABLE } from '../../shared/core/features.js';
import type { FakeServer } from '../../shared/platform/fake-server.js';

describe('registering the commands', () => {
  // A fake API per test: each test reads only the requests its own registration sent, whatever ran before.
  let api: FakeServer;
  beforeEach(async () => {
    api = await discordSandbox.startFakeApi();
  });
  afterEach(() => api.close());

  const config = () => loadDiscordRegisterConfig(discordSandbox.env(api.url));

  it('puts the command table to the global commands route with the bot token, and Discord accepts it', async () => {
    const result = await registerCommands(config());

    const [request, ...more] = api.requests.filter((received) => received.path.endsWith('/commands'));
    expect(more).toEqual([]);
    expect(request?.method).toBe('PUT');
    expect(request?.path).toBe(`/v10/applications/${SANDBOX_APPLICATION_ID}/commands`);
    expect(request?.headers.authorization).toBe(`Bot ${SANDBOX_BOT_TOKEN}`);
    expect(request?.payload).toEqual(commandDefinitions());
    expect(result).toMatchObject({
      scope: 'global',
      commands: [{ name: 'community', subcommands: COMMAND_TABLE.map((entry) => entry.name) }],
    });
    expect(result.commands[0]?.subcommands).toEqual(expect.arrayContaining(['help', 'feedback', 'stats']));
  });

  it('registers in one guild from the command line with --guild', async () => {
    await main(['--guild', '1300000000000000099'], discordSandbox.env(api.url));

    const [request, ...more] = api.requests.filter((received) => received.path.endsWith('/commands'));
    expect(more).toEqual([]);
    expect(request?.path).toBe(
      `/v10/applications/${SANDBOX_APPLICATION_ID}/guilds/1300000000000000099/commands`,
    );
    expect(request?.payload).toEqual(commandDefinitions());
  });

  it("refuses a definition Discord would refuse, in Discord's error shape", async () => {
    const rest = new REST({ api: api.url, version: '10' }).setToken(SANDBOX_BOT_TOKEN);
    const [community] = commandDefinitions();
    const upperCase = { ...community, options: [{ name: 'Stats', description: 'd', type: 1 }] };

    const refused = rest.put(`/applications/${SANDBOX_APPLICATION_ID}/commands`, { body: [upperCase] });

    await expect(refused).rejects.toBeInstanceOf(DiscordAPIError);
    await expect(refused).rejects.toMatchObject({
      status: 400,
      code: 50035,
      rawError: {
        errors: {
          0: { options: { 0: { name: { _errors: [{ code: 'APPLICATION_COMMAND_INVALID_NAME' }] } } } },
        },
      },
    });
  });
});
