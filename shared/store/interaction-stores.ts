/**
 * The repositories only interactions and the outbox use, in one chunk loaded on the first call to any of them
 * (index.ts, lazy.ts): recording a message never loads it.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type AttentionSettings, DEFAULT_ATTENTION } from '../core/outbox/model.js';
import { AttentionRepository } from './attention-repository.js';
import { CommunityRepository } from './community-repository.js';
import { ContentRepository } from './content-repository.js';
import { FeedbackRepository } from './feedback-repository.js';
import { FormSessionRepository } from './form-session-repository.js';
import { LedgerRepository } from './ledger-repository.js';
import { WorkerLeaseRepository } from './outbox-lease.js';
import { OutboxRepository } from './outbox-repository.js';
import { PendingRepository } from './pending-repository.js';
import { SpaceDataRepository } from './space-data-repository.js';
import { WelcomeRepository } from './welcome-repository.js';

export function createInteractionStores(
  client: DynamoDBClient,
  tableName: string,
  defaults: AttentionSettings = DEFAULT_ATTENTION,
) {
  return {
    ledger: new LedgerRepository(client, tableName),
    pending: new PendingRepository(client, tableName),
    forms: new FormSessionRepository(client, tableName),
    feedback: new FeedbackRepository(client, tableName),
    communities: new CommunityRepository(client, tableName),
    spaceData: new SpaceDataRepository(client, tableName),
    outbox: new OutboxRepository(client, tableName),
    lease: new WorkerLeaseRepository(client, tableName),
    attention: new AttentionRepository(client, tableName, defaults),
    welcomes: new WelcomeRepository(client, tableName),
    content: new ContentRepository(client, tableName),
  };
}
