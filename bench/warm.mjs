// Runs in one Node process: loads a bundle, warms it with one event, then times each of the rest.
// argv: <bundle path> <events JSON file (an array)>
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [bundle, eventsFile] = process.argv.slice(2);
const events = JSON.parse(readFileSync(eventsFile, 'utf8'));
const { handler } = await import(pathToFileURL(bundle).href);
const statuses = {};
const timings = [];
for (const [index, event] of events.entries()) {
  const started = performance.now();
  const result = await handler(event, {});
  if (index > 0) timings.push(performance.now() - started);
  statuses[result?.statusCode] = (statuses[result?.statusCode] ?? 0) + 1;
}
process.stdout.write(JSON.stringify({ timings, statuses }));
process.exit(0);
