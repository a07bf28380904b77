import { isLaterJob } from '../../shared/core/later.js';
import { errorResult, runLaterJob } from '../../shared/lambda/edge.js';
import { type BotHandler, header, jsonResult, rawBody } from '../../shared/lambda/http.js';
import type { HandlerDeps } from '../../shared/platform/descriptor.js';
import { createInteractionsApp } from './app.js';
import { createDiscordCommunity } from './community.js';
import type { DiscordConfig } from './config.js';
import { createInteractionVerifier } from './verify.js';

/**
 * The Discord interactions endpoint (API Gateway HTTP API, payload 2.0), and the later jobs it hands to
 * itself. Discord waits up to three seconds for an interaction's answer and never redelivers one; what
 * takes longer is deferred and answered from a later invocation by editing the deferred original.
 * Built once per cold start, without network calls: logger, table client, a REST client that loads
 * itself and reads the bot token on first use (community.ts, shared with the gateway ingestion).
 */
export function createDiscordHandler(config: DiscordConfig, deps: HandlerDeps = {}): BotHandler {
  const { community, logger, now } = createDiscordCommunity(config, deps);
  const app = createInteractionsApp({
    community,
    verify: createInteractionVerifier(config.publicKey),
    logger,
    applicationId: config.applicationId,
    now,
  });
  return async (event) => {
    if (isLaterJob(event)) return runLaterJob(event, (job) => community.runLater(job), logger);
    try {
      const response = await app.handle({
        body: rawBody(event),
        signature: header(event, 'x-signature-ed25519'),
        timestamp: header(event, 'x-signature-timestamp'),
      });
      return jsonResult(200, response);
    } catch (error) {
      return errorResult(error, logger);
    }
  };
}
