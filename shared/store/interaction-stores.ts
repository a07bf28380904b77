/** The repositories only interactions use, in one chunk loaded on the first interaction (index.ts, lazy.ts). */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CommunityRepository } from './community-repository.js';
import { FeedbackRepository } from './feedback-repository.js';
import { FormSessionRepository } from './form-session-repository.js';
import { LedgerRepository } from './ledger-repository.js';
import { PendingRepository } from './pending-repository.js';
import { SpaceDataRepository } from './space-data-repository.js';

export function createInteractionStores(client: DynamoDBClient, tableName: string) {
  return {
    ledger: new LedgerRepository(client, tableName),
    pending: new PendingRepository(client, tableName),
    forms: new FormSessionRepository(client, tableName),
    feedback: new FeedbackRepository(client, tableName),
    communities: new CommunityRepository(client, tableName),
    spaceData: new SpaceDataRepository(client, tableName),
  };
}
