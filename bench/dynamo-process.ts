/**
 * The embedded engine in a process of its own, so a bench that drives it hard measures our code and the
 * platforms' limits rather than one event loop shared by the engine, the fakes and the worker (in AWS,
 * DynamoDB is never on the caller's CPU). Prints `{"endpoint": …}` once listening; exits with its parent.
 */
import { startEmbeddedDynamo } from '../infra/local/dynamo.js';

const dynamo = await startEmbeddedDynamo();
process.stdout.write(`${JSON.stringify({ endpoint: dynamo.endpoint })}\n`);
process.on('disconnect', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
