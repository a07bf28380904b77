import { createCommunity } from '../../shared/core/community.js';
import { errorResult } from '../../shared/lambda/edge.js';
import { type HttpEvent, type HttpResult, header, jsonResult, rawBody } from '../../shared/lambda/http.js';
import { createLogger } from '../../shared/lambda/logger.js';
import { createStore } from '../../shared/store/index.js';
import { createInteractionsApp } from './app.js';
import { loadDiscordConfig } from './config.js';
import { createInteractionVerifier } from './verify.js';

// Once per cold start, without network calls: config, logger, table client, the app.
const config = loadDiscordConfig(process.env);
const logger = createLogger('discord');
const store = createStore(config.store);
const app = createInteractionsApp({
  community: createCommunity({ store: store.engagement }),
  verify: createInteractionVerifier(config.publicKey),
  logger,
});

/**
 * The Discord interactions endpoint (API Gateway HTTP API, payload 2.0). Discord waits up to three seconds
 * for this answer and shows it inline; it never redelivers an interaction.
 */
export async function handler(event: HttpEvent): Promise<HttpResult> {
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
}
