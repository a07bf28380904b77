// Runs in a fresh Node process: loads one bundle and hands it one event, timing both.
// Plain JavaScript on purpose: nothing but Node itself is loaded before the bundle.
// argv: <bundle path> <event JSON file or "none">
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [bundle, eventFile] = process.argv.slice(2);
const event = eventFile && eventFile !== 'none' ? JSON.parse(readFileSync(eventFile, 'utf8')) : undefined;
const started = performance.now();
const module = await import(pathToFileURL(bundle).href);
const loaded = performance.now();
const result = event ? await module.handler(event, {}) : undefined;
const handled = performance.now();
process.stdout.write(
  JSON.stringify({
    loadMs: loaded - started,
    totalMs: handled - started,
    status: result?.statusCode ?? null,
  }),
);
// The bundle's HTTP agents would keep the process alive; the measurement is done.
process.exit(0);
