import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '../../infra/local/runtime.js';
import { PLATFORMS } from '../../shared/core/events.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
let runtime: LocalRuntime;

/** Runs `npm run say -- ...` the way the README shows it, against the runtime started here. */
async function say(...args: string[]): Promise<string> {
  const tsx = join(ROOT, 'node_modules/.bin/tsx');
  const port = new URL(runtime.url).port;
  const { stdout } = await run(tsx, [join(ROOT, 'infra/local/say.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, PORT: port },
  });
  return stdout;
}

beforeAll(async () => {
  // Zero configuration: an empty environment, like a fresh clone.
  runtime = await startLocal({ port: 0, env: {}, log: () => {} });
});

afterAll(async () => {
  await runtime?.close();
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
      // Prepare: a message (delivered twice, as a platform retry would) and a join. Discord's messages and
      // joins come over the gateway, not the interactions webhook: there, members take part by commands.
      const gateway = platform === 'discord';
      const spoken = await say(
        '--platform',
        platform,
        '--user',
        'alice',
        '--repeat',
        '2',
        gateway ? '/community help' : 'hello',
      );
      await say('--platform', platform, '--user', 'bob', ...(gateway ? ['/community help'] : ['--join']));

      // Act
      const stats = await say('--platform', platform, '--user', 'modsam', '/community stats');
      const refused = await say('--platform', platform, '--user', 'alice', '/community stats');

      // Assess: both deliveries answered, the stats counted the message once, the member was refused.
      expect(spoken.match(/answered 200/g)).toHaveLength(2);
      expect(stats).toContain('Community stats');
      const todayRow = stats.split(/\\n|\n/).find((line) => new RegExp(`^\\s*${platform}\\s+\\d`).test(line));
      // Columns: members messages replies reactions joins. alice, bob and modsam were seen; one message.
      expect(todayRow?.trim().split(/\s+/).slice(1, 3)).toEqual(['3', gateway ? '0' : '1']);
      expect(refused).toContain('moderators only');
    },
  );
});
