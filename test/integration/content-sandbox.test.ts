/**
 * The content walk-through of the README, against `npm run dev`'s runtime and with the very commands it shows
 * (`npm run content:import`, `npm run say`, `npm run say -- --advance 7d`): import the starter library, a member
 * pulls a tip and votes, a moderator schedules the channel, a simulated week of posts, members say "Not for me"
 * to them, and the next week the channel posts at half the pace.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOCK_FILE } from '../../infra/local/dev-clock.js';
import { type LocalRuntime, startLocal } from '../../infra/local/runtime.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const STARTER = 'infra/content/starter-library.md';
const DAY_MS = 24 * 3_600_000;
let runtime: LocalRuntime;
let dataDir: string;

/** Runs a local tool the way its npm script does; it finds the runtime through the data folder. */
async function tool(script: string, ...args: string[]): Promise<string> {
  const { PORT: _port, ...env } = process.env;
  const { stdout } = await run(TSX, [join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { ...env, DATA_DIR: dataDir },
  });
  return stdout;
}

const say = (...args: string[]) => tool('infra/local/say.ts', ...args);
const slack = (user: string, ...args: string[]) => say('--platform', 'slack', '--user', user, ...args);

/** The `--press` strings of one button label in what say printed, in order. */
function presses(output: string, label: string): string[] {
  return [...output.matchAll(new RegExp(`\\[${label}\\] --press (\\S+)`, 'g'))].map(
    (match) => match[1] ?? '',
  );
}

/** The progress lines of an advance, as `[day, posts]`. */
function progress(output: string): [number, number][] {
  return [...output.matchAll(/^day (\d+) of \d+: (\d+) posts? \(now /gm)].map((match) => [
    Number(match[1]),
    Number(match[2]),
  ]);
}

/** The library items the bot posted in #general (`said in CGENERAL: <title>`). */
function postedTitles(output: string): string[] {
  return [...output.matchAll(/^\[slack\] bot -> said in CGENERAL: (.+)$/gm)].map((match) => match[1] ?? '');
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'community-content-'));
  runtime = await startLocal({ port: 0, dataDir, env: {}, log: () => {} });
});

afterAll(async () => {
  await runtime?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the content walk-through (npm run dev, content:import, say, say --advance)', () => {
  it('imports the starter library, pulls and votes, schedules, posts for a week, and halves the pace on bad feedback', async () => {
    // Prepare: a first message registers the sandbox workspace; then the starter library, twice.
    await slack('alice', 'hello');
    const imported = await tool('infra/ops/content.ts', 'import', STARTER);
    const again = await tool('infra/ops/content.ts', 'import', STARTER);

    // Act 1: a member pulls a tip and finds it helpful; a moderator schedules #general daily at 10:00.
    const tip = await slack('alice', '/community tip');
    const helpful = presses(tip, 'Helpful')[0] ?? '';
    const voted = await slack('alice', '--press', helpful);
    const scheduled = await slack('modsam', '/community schedule set daily 10:00');

    // Act 2: a week passes; three members say "Not for me" to each of the week's last three posts.
    const week1 = await say('--advance', '7d');
    const notForMe = presses(week1, 'Not for me').slice(-3);
    for (const user of ['bob', 'carol', 'dave']) {
      for (const press of notForMe) await slack(user, '--press', press);
    }
    const week2 = await say('--advance', '7d');
    const shown = await slack('modsam', '/community schedule show');
    const stats = await slack('modsam', '/community content stats');

    // Assess: the import added 15 items and 4 topics, and its repeat changed nothing.
    expect(imported).toMatch(/added 15, updated 0, unchanged 0, topics added 4/);
    expect(again).toMatch(/added 0, updated 0, unchanged 15/);
    // The tip came privately with its vote and share buttons; the vote was taken.
    expect(tip).toMatch(/\[slack\] bot -> privately: \S/);
    expect(helpful).toMatch(/^content\.helpful:i:[0-9a-z]{6}:T0SANDBOX$/);
    expect(presses(tip, 'Share')).toHaveLength(1);
    expect(voted).toContain('Thanks, noted: helpful.');
    expect(scheduled).toContain('Scheduled: a library item here daily at 10:00 (UTC)');
    // Week 1: one post a day, seven different items, each with its vote buttons.
    expect(progress(week1)).toHaveLength(7);
    expect(progress(week1).reduce((sum, [, posts]) => sum + posts, 0)).toBe(7);
    expect(new Set(postedTitles(week1)).size).toBe(7);
    expect(notForMe.every((press) => /^content\.notforme:p:[0-9a-z]{6}:[0-9a-z]{8}$/.test(press))).toBe(true);
    // Week 2: "not for me" outweighed "helpful", so the pace halved: every other slot, four of seven.
    expect(progress(week2).reduce((sum, [, posts]) => sum + posts, 0)).toBe(4);
    expect(postedTitles(week2)).toHaveLength(4);
    expect(postedTitles(week2).some((title) => postedTitles(week1).includes(title))).toBe(false);
    expect(shown).toMatch(/channel `?CGENERAL`?: daily at 10:00 \(UTC\).* · pace 1 in 2 slots/);
    // The moderator sees why: nine "not for me" on the channel's posts, one "helpful" on the pulled tip.
    expect(stats).toMatch(
      /CGENERAL`?: 11 posts · helpful 0 · not for me 9 · shared 0 · reactions 0 · replies 0 · mutes 0/,
    );
    expect(stats).toMatch(/helpful 1 · not for me 0/);
    // Two simulated weeks, kept in the data folder for the next `npm run dev`.
    expect(runtime.clock.offsetMs()).toBe(14 * DAY_MS);
    expect(JSON.parse(readFileSync(join(dataDir, CLOCK_FILE), 'utf8'))).toEqual({ offsetMs: 14 * DAY_MS });
  }, 300_000);

  it.each([['7'], ['seven days'], ['0m'], ['400d']])(
    'refuses --advance %j with the expected forms and exit code 2, the clock unmoved',
    async (duration) => {
      const before = runtime.clock.offsetMs();

      const refused = await run(TSX, [join(ROOT, 'infra/local/say.ts'), '--advance', duration], {
        cwd: ROOT,
        env: { ...process.env, DATA_DIR: dataDir },
      }).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );

      expect(refused?.code).toBe(2);
      expect(refused?.stderr).toContain('--advance takes a duration like 90m, 12h, 7d or 2w');
      expect(runtime.clock.offsetMs()).toBe(before);
    },
  );

  it('refuses an advance the dev server is asked for directly with a bad duration, with 400', async () => {
    const response = await fetch(`${runtime.url}/sandbox/advance?by=soon`, { method: 'POST' });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: expect.stringContaining('--advance takes a duration like 90m, 12h, 7d or 2w'),
    });
  });
});
