/** Starts bench/dynamo-process.ts as a child process and returns its endpoint (see there for why). */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface ChildDynamo {
  readonly endpoint: string;
  close(): Promise<void>;
}

export async function startChildDynamo(): Promise<ChildDynamo> {
  const tsx = join(import.meta.dirname, '..', 'node_modules', '.bin', 'tsx');
  const child = spawn(tsx, [join(import.meta.dirname, 'dynamo-process.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the DynamoDB child exited (${code})`)));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const line = buffered.split('\n')[0];
      if (buffered.includes('\n') && line) resolve((JSON.parse(line) as { endpoint: string }).endpoint);
    });
  });
  return {
    endpoint,
    close: async () => {
      child.stdin.end();
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
