import { createCommunity } from '../../shared/core/community.js';
import { errorResult } from '../../shared/lambda/edge.js';
import { type HttpHandler, header, jsonResult, rawBody } from '../../shared/lambda/http.js';
import { createLogger } from '../../shared/lambda/logger.js';
import type { HandlerDeps } from '../../shared/platform/descriptor.js';
import { createStore } from '../../shared/store/index.js';
import { createInteractionsApp } from './app.js';
import type { DiscordConfig } from './config.js';
import { DISCORD_MODERATOR_RULE } from './moderators.js';
import { createInteractionVerifier } from './verify.js';

/**
 * The Discord interactions endpoint (API Gateway HTTP API, payload 2.0). Discord waits up to three seconds
 * for this answer and shows it inline; it never redelivers an interaction. Built once per cold start,
 * without network calls: logger, table client, the app.
 */
export function createDiscordHandler(config: DiscordConfig, deps: HandlerDeps = {}): HttpHandler {
  const logger = deps.logger ?? createLogger('discord');
  const now = deps.now ?? (() => new Date());
  const app = createInteractionsApp({
    community: createCommunity({
      store: createStore(config.store).engagement,
      moderatorRule: DISCORD_MODERATOR_RULE,
      now,
      ...(deps.onRecorded ? { onRecorded: deps.onRecorded } : {}),
    }),
    verify: createInteractionVerifier(config.publicKey),
    logger,
    now,
  });
  return async (event) => {
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
