import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataDirBusyError } from '../../infra/local/data-dir.js';
import { type LocalRuntime, startLocal } from '../../infra/local/runtime.js';
import { PLATFORMS } from '../../shared/core/events.js';
import { expectedMemberId } from '../support/member-ids.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
let runtime: LocalRuntime;
let dataDir: string;
const terminal: string[] = [];

/** Runs `npm run say -- ...` the way the README shows it; it finds the runtime through its data folder. */
async function say(...args: string[]): Promise<string> {
  const { stdout } = await run(TSX, [join(ROOT, 'infra/local/say.ts'), ...args], {
    cwd: ROOT,
    env: { ...withoutPort(process.env), DATA_DIR: dataDir },
  });
  return stdout;
}

/** say with arguments it must refuse: the exit code and what it printed. */
async function sayRefused(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    await run(TSX, [join(ROOT, 'infra/local/say.ts'), ...args], {
      cwd: ROOT,
      env: { ...withoutPort(process.env), DATA_DIR: dataDir },
    });
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: `${failed.stdout}${failed.stderr}` };
  }
  throw new Error(`say accepted ${args.join(' ')}`);
}

/** The platform's row of the `today` window in a printed stats table: members and messages. */
function todayRow(output: string, platform: string): { members: number; messages: number } {
  const row = output.split(/\\n|\n/).find((line) => new RegExp(`^\\s*${platform}\\s+\\d`).test(line));
  const [members, messages] = (row ?? '').trim().split(/\s+/).slice(1, 3).map(Number);
  if (members === undefined || messages === undefined) throw new Error(`no ${platform} row in: ${output}`);
  return { members, messages };
}

function withoutPort(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { PORT: _port, ...rest } = env;
  return rest;
}

beforeAll(async () => {
  // Zero configuration: an empty environment, like a fresh clone; a random port, as a second developer
  // server would have, so say must find it without being told.
  dataDir = mkdtempSync(join(tmpdir(), 'community-dev-'));
  runtime = await startLocal({ port: 0, dataDir, env: {}, log: (line) => terminal.push(line) });
});

afterAll(async () => {
  await runtime?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run dev + npm run say (the sandbox walk-through)', () => {
  it('runs every platform as a sandbox when no credentials are set', async () => {
    expect(runtime.modes).toEqual({ slack: 'sandbox', discord: 'sandbox', telegram: 'sandbox' });
    const health = await (await fetch(`${runtime.url}/health`)).json();
    expect(health).toMatchObject({ ok: true, table: 'community-local' });
  });

  it.each(PLATFORMS)(
    'completes a round trip on %s: a member speaks, a moderator reads the stats',
    async (platform) => {
      // Prepare: what the moderator sees before (other tests may have spoken on this platform already).
      // Then a message (delivered twice, as a platform retry would) and a join. Discord's come as gateway
      // dispatches, to the local runner's stand-in for the relay.
      const before = todayRow(
        await say('--platform', platform, '--user', 'modsam', '/community stats'),
        platform,
      );
      const spoken = await say(
        '--platform',
        platform,
        '--user',
        `alice${platform}`,
        '--repeat',
        '2',
        'hello',
      );
      await say('--platform', platform, '--user', `bob${platform}`, '--join');

      // Act
      const stats = await say('--platform', platform, '--user', 'modsam', '/community stats');
      const refused = await say('--platform', platform, '--user', `alice${platform}`, '/community stats');

      // Assess: both deliveries answered, the stats counted the message once and the two new members, the
      // member was refused.
      expect(spoken.match(/answered 200/g)).toHaveLength(2);
      expect(stats).toContain('Community stats');
      const after = todayRow(stats, platform);
      expect(after.members - before.members).toBe(2);
      expect(after.messages - before.messages).toBe(1);
      expect(refused).toContain('moderators only');
    },
  );

  it('prints one terminal line per recorded event, and says so when a delivery repeats one', async () => {
    // Prepare
    const mark = terminal.length;

    // Act: one message, delivered twice.
    const output = await say('--platform', 'slack', '--user', 'carol', '--id', '777', '--repeat', '2', 'hi');

    // Assess
    expect(output).toContain('message id 777');
    // The terminal shows what the record holds: the member's opaque id, never their Slack id.
    const carol = expectedMemberId('slack', 'UCAROL');
    const printed = terminal.slice(mark).filter((line) => line.includes(`by ${carol}`));
    expect(printed).toEqual([
      `[slack] recorded message_posted by ${carol} in CGENERAL`,
      `[slack] redelivered message_posted by ${carol} in CGENERAL (already recorded, not counted again)`,
    ]);
    expect(terminal.slice(mark).filter((line) => line.includes('UCAROL'))).toEqual([]);
  });
});

describe('npm run dev + npm run say: two communities, then linked (Telegram)', () => {
  /** The `today` rows of the last stats table `say` printed: label -> members, messages. */
  function todayRows(output: string): Record<string, [number, number]> {
    const lines = output.split('\n');
    const start = lines.findLastIndex((line) => line.trim() === 'today');
    const rows: Record<string, [number, number]> = {};
    for (const line of lines.slice(start + 1)) {
      const cells = /^ {2}(\S.*?)\s+(\d+)\s+(\d+)\s+\d+\s+\d+\s+\d+$/.exec(line);
      if (!cells) break;
      rows[cells[1] ?? ''] = [Number(cells[2]), Number(cells[3])];
    }
    return rows;
  }

  it('keeps two groups apart, links them with a code and a Join press, then counts both', async () => {
    // Prepare: group `walk` of space a and group `walk` of space b, one message each (they register).
    const telegram = (...args: string[]) => say('--platform', 'telegram', '--channel', 'walk', ...args);
    await telegram('--user', 'alice', 'hello from a');
    await telegram('--space', 'b', '--user', 'bob', 'hello from b');
    const apartA = todayRows(await telegram('--user', 'modann', '/community stats'));
    const apartB = todayRows(await telegram('--space', 'b', '--user', 'modann-b', '/community stats'));

    // Act 1: a's admin asks for a code; b's admin redeems it and is asked to confirm, with a Join press.
    const issued = await telegram('--user', 'modann', '/community link');
    const code = /S-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(issued)?.[0] ?? '';
    const question = await telegram('--space', 'b', '--user', 'modann-b', `/community link ${code}`);
    const join = /\[Join\] --press (link\.join:\S+) --id (\d+)/.exec(question);

    // Act 2: b's admin presses Join, in their private chat with the bot, where the question was asked.
    const pressed = await say(
      '--platform',
      'telegram',
      '--user',
      'modann-b',
      '--channel',
      'dm',
      '--press',
      join?.[1] ?? '',
      '--id',
      join?.[2] ?? '',
    );
    const together = todayRows(await telegram('--user', 'modann', '/community stats'));

    // Assess: apart, each admin sees one group and its one message; the question carried the Join press
    // (the code's digest and group b); the press answered "Done"; then a's admin sees both groups and the sum.
    expect(apartA).toEqual({ telegram: [1, 1], total: [1, 1] });
    expect(apartB).toEqual({ telegram: [1, 1], total: [1, 1] });
    expect(code).not.toBe('');
    expect(question).toContain('privately to modann-b: Join telegram b/walk');
    expect(join?.[1]).toMatch(/^link\.join:[0-9a-f]{32}\/-\d+$/);
    // Cancel's data is short enough to name group b too (render.ts): pressed in the private chat, it is
    // a press in that group.
    expect(question).toMatch(/\[Cancel\] --press link\.cancel@-\d+ --id \d+/);
    expect(pressed).toMatch(/edited message \d+ privately to modann-b: Done: telegram b\/walk .* is part of/);
    expect(pressed).toContain('privately to modann: Your link code was used: telegram b/walk');
    expect(Object.keys(together)).toEqual([
      expect.stringMatching(/^walk \(telegram:-\d+\)$/),
      expect.stringMatching(/^b\/walk \(telegram:-\d+\)$/),
      'telegram',
      'total',
    ]);
    expect(Object.values(together)).toEqual([
      [1, 1],
      [1, 1],
      [2, 2],
      [2, 2],
    ]);
  });
});

describe('npm run say: options it cannot use', () => {
  it.each([
    [['--platform', 'slack', '--colour', 'red', 'hi'], /Unknown option '--colour'/],
    [
      ['--platform', 'slack', '--repeat', '0', 'hi'],
      /--repeat must be a whole number of deliveries, 1 or more/,
    ],
    [['--platform', 'slack', '--repeat=-2', 'hi'], /--repeat must be a whole number/],
    [['--platform', 'slack', '--repeat', '-2', 'hi'], /Option '--repeat' argument is ambiguous/],
    [['--platform', 'slack', '--repeat', 'lots', 'hi'], /--repeat must be a whole number/],
    [['--platform', 'irc', 'hi'], /--platform must be one of slack, discord, telegram/],
    [['--platform', 'slack'], /Say something/],
    [['--platform', 'telegram', '--press', ':abc'], /--press needs a button's action id/],
    [['--platform', 'slack', '--url', 'not a url', 'hi'], /--url must be a URL/],
  ])('refuses %j with the usage and exit code 2, never a stack', async (args, reason) => {
    const { code, output } = await sayRefused(...args);

    expect(code).toBe(2);
    expect(output).toMatch(reason);
    expect(output).toContain('usage: npm run say');
    expect(output).not.toMatch(/\n\s+at /);
  });
});

describe('npm run dev: one runner per data folder', () => {
  it('refuses a second runner on the same data folder with one sentence naming the first', async () => {
    const second = startLocal({ port: 0, dataDir, env: {}, log: () => {} });

    await expect(second).rejects.toThrow(DataDirBusyError);
    await expect(second).rejects.toThrow(
      new RegExp(`Another npm run dev \\(pid ${process.pid}\\) is already using ${dataDir}`),
    );
  });
});
