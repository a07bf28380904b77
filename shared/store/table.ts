/**
 * The one DynamoDB table, defined once. The CDK stack (infra/) and the local/test set-up
 * (infra/local) both build the table from this, so keys, index and TTL cannot drift apart.
 *
 * Items (single-table design). Every key names the space or the community it belongs to, except what exists
 * before either is known: a link code (how a space finds a community it does not belong to yet), a Slack
 * OAuth code's claim (before the workspace is installed), both keyed by a digest, and a member's guided form
 * (their private chat with the bot, which belongs to no space).
 * | item               | pk                           | sk                 | byDay index (gsi1pk / gsi1sk)       |
 * | engagement record  | `EVT#<platform>:<space>:<id>` | `EVT`             | `DAY#<platform>:<space>#<day>` / `<kind>#<to>#<key>` (engagement only; `<to>` the opaque id a reply or reaction is addressed to, or `-`) |
 * |                    |                              |                    | byMember: `MEMBER#<platform>:<space>#<member id>` / `<day>#<kind>#<key>` |
 * | day rollup         | `ROLLUP#<platform>:<space>`  | `<day>`            | -  (carries a version: an older one is recomputed) |
 * | privacy marker     | `PRIVACY#<keyed hash of the identity>` | `PRIVACY` | -  (opt-out, generation; outlives erasure) |
 * | identity mapping   | `COMMUNITY#<community>`      | `IDENTITY#<platform>:<member>` | -  (the only item linking a platform id to a person) |
 * | member code        | `COMMUNITY#<community>`      | `MCODE#<platform>:<member>` | `MEMBERCODE#<digest>` / `MEMBERCODE` (single use, expires) |
 * | community settings | `COMMUNITY#<community>`      | `SETTINGS`         | -                                   |
 * | space              | `SPACE#<platform>:<space>`   | `SPACE`            | `SPACES#<community>` / `<platform>:<space>`; byMember: `SPACES` / `<platform>:<space>` (every space, for the nightly rollup) |
 * | Slack installation | `SPACE#slack:<team>`         | `INSTALLATION`     | -                                   |
 * | Slack OAuth claim  | `OAUTH#<sha-256 of the code>` | `CODE`            | -  (one exchange per code; expires) |
 * | community moderator| `COMMUNITY#<community>`      | `MOD#<platform>:<member>` | -                            |
 * | audit entry        | `COMMUNITY#<community>`      | `AUDIT#<time>#<random>` | -  (expires after a year)      |
 * | link code          | `LINKCODE#<digest>`          | `LINKCODE`         | -  (single use, expires)            |
 * | cache entry        | `CACHE#<name>`               | `<key>`            | -  (expires via `expiresAt`)        |
 * | answer claim       | `ONCE#<platform>:<space>`    | `<key>`            | -  (in progress / completed, expires) |
 * | deep-link answer   | `PENDING#<platform>:<space>` | `<random>`         | -  (single use, expires)            |
 * | guided form        | `FORM#<platform>:<member>`   | `FORM`             | -  (the member's private chat; expires) |
 * | feedback note      | `FEEDBACK#<platform>:<space>` | `<id>`            | -  (text removed when read; expires) |
 * | outbox message     | `COMMUNITY#<community>`      | `OUTBOX#<id>`      | byMember while queued or sending: `OUTBOX` / `<due ISO>#<community>#<id>` (text and platform ids removed when it ends; expires 30 days after) |
 * | outbox lease       | `OUTBOX#WORKER`              | `LEASE`            | -  (the worker's: owner, until, wake count; names nobody) |
 * | attention settings | `COMMUNITY#<community>`      | `ATTENTION`        | -  (only what differs from the defaults) |
 * | member mute        | `COMMUNITY#<community>`      | `MUTE#<member id>` | -                                   |
 * | person spend       | `COMMUNITY#<community>`      | `SPEND#person#<person>#<topic>#<message id>` | -  (one per message; expires after 8 days) |
 * | channel settings   | `SPACE#<platform>:<space>`   | `CHANNEL#<channel>` | -  (roles, muted; deleted when neither) |
 * | channel spend      | `SPACE#<platform>:<space>`   | `SPEND#<channel or greeting>#<channel>#<message id>` | -  (one per message; expires after 8 days) |
 * | welcome            | `SPACE#<platform>:<space>`   | `WELCOME`          | -                                   |
 * | welcomed marker    | `SPACE#<platform>:<space>`   | `WELCOMED#<member id>` | -  (never expires: once, ever)  |
 * | library meta       | `COMMUNITY#<community>`      | `LIBRARY`          | -  (topics, version: bumped by every item or topic change) |
 * | library item       | `LIBRARY#<community>`        | `ITEM#<id>`        | byDay while a pending suggestion: `QUEUE#<community>` / `<created ISO>#<id>`; byMember while credited: `AUTHOR#<community>#<person>` / `ITEM#<id>` (counts are number attributes moved by ADD) |
 * | library vote       | `COMMUNITY#<community>`      | `VOTE#<person>#<item>` | -  (until erased)               |
 * | item shown         | `COMMUNITY#<community>`      | `SHOWN#<person>#<item>` | -  (expires after 180 days)    |
 * | digest subscription| `COMMUNITY#<community>`      | `DIGEST#<person>`  | byMember: `DIGESTS` / `<next ISO>#<community>#<person>` (names the member to write to; until turned off or erased) |
 * | channel schedule   | `SPACE#<platform>:<space>`   | `SCHEDULE#<channel>` | byMember: `SCHEDULES` / `<next ISO>#<platform>:<space>#<channel>` |
 * | channel post       | `SPACE#<platform>:<space>`   | `POST#<channel>#<slot ISO>` | -  (counts only, names nobody; expires 100 days after the slot) |
 *
 * The `byDay` index groups items: a space-day's engagement records (stats, edges), a community's spaces, and
 * finds a member code by its digest. The `byMember` index finds one member's records in one space (keys only):
 * what `me` counts and `forget` erases; and, in one small partition, every space (the nightly rollup). It also
 * holds small sparse partitions sorted by when something is due (`OUTBOX`, `SCHEDULES`, `DIGESTS`) and the
 * library items a person wrote; byDay holds a community's pending suggestions (`QUEUE#<community>`).
 */
export const TABLE = {
  /** Default physical name for local runs; in AWS the stack names it and passes TABLE_NAME. */
  localName: 'community-local',
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes the item some time after. Readers must still check it. */
  timeToLiveAttribute: 'expiresAt',
  indexes: {
    byDay: {
      name: 'byDay',
      partitionKey: 'gsi1pk',
      sortKey: 'gsi1sk',
      /** Only what a rollup needs, so the index write stays one write unit per event. */
      nonKeyAttributes: ['memberId'],
    },
    byMember: {
      name: 'byMember',
      partitionKey: 'gsi2pk',
      sortKey: 'gsi2sk',
    },
  },
} as const;

/** Every key attribute is a string. */
export type KeyAttribute =
  | typeof TABLE.partitionKey
  | typeof TABLE.sortKey
  | typeof TABLE.indexes.byDay.partitionKey
  | typeof TABLE.indexes.byDay.sortKey
  | typeof TABLE.indexes.byMember.partitionKey
  | typeof TABLE.indexes.byMember.sortKey;

/** The CreateTable request for a local or test table (on-demand), in the DynamoDB API's own shape. */
export function createTableRequest(tableName: string) {
  const { byDay, byMember } = TABLE.indexes;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [
      TABLE.partitionKey,
      TABLE.sortKey,
      byDay.partitionKey,
      byDay.sortKey,
      byMember.partitionKey,
      byMember.sortKey,
    ].map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: byDay.name,
        KeySchema: [
          { AttributeName: byDay.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: byDay.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...byDay.nonKeyAttributes] },
      },
      {
        IndexName: byMember.name,
        KeySchema: [
          { AttributeName: byMember.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: byMember.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' as const },
      },
    ],
  };
}
