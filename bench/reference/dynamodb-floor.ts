// The floor: what any handler here pays before doing anything of its own. It loads only the DynamoDB client
// and makes one conditional PutItem, bundled exactly like the bots (same aliases and stubs), so a handler's
// ratio to it is what its own code (platform SDK, verification, core) adds.
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from '../../shared/store/client.js';

const tableName = process.env.TABLE_NAME ?? 'community-bench';
const endpoint = process.env.DYNAMODB_ENDPOINT;
const client = createDynamoClient({ tableName, ...(endpoint ? { endpoint } : {}) });
let serial = 0;

export const handler = async () => {
  serial += 1;
  await client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: {
        pk: { S: `FLOOR#${process.pid}#${Date.now()}#${serial}` },
        sk: { S: 'FLOOR' },
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return { statusCode: 200, body: '' };
};
