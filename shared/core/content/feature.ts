/**
 * The content library as a feature: members pull (`tip`, `find`), vote and share, subscribe to a weekly
 * digest and suggest items; moderators keep topics and items, review suggestions, schedule channels and read
 * the feedback. The command table is declared here, once; the handlers live next to what they do:
 * authoring.ts (items, topics, suggestions and their review), pull.ts (tip, find, votes, share, digest,
 * stats), schedule-commands.ts (channel cadences). The scheduled posting itself runs in the outbox worker
 * (scheduler.ts), not in a request.
 */
import type { Feature } from '../feature.js';
import { authoringParts } from './authoring.js';
import { contentMemberData } from './member-data.js';
import { pullParts } from './pull.js';
import { scheduleParts } from './schedule-commands.js';

/** The fields `content edit` changes, one at a time. */
export const EDITABLE_FIELDS = [
  'title',
  'body',
  'topics',
  'kind',
  'link',
  'language',
  'promotional',
  'status',
] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];

/** The handlers of one part of the feature. */
export type FeatureParts = Pick<Feature, 'commandHandlers' | 'buttonHandlers' | 'formHandlers'>;

export const contentFeature: Feature = {
  commands: [
    {
      name: 'tip',
      summary: 'A tip you have not seen yet',
      moderatorOnly: false,
      options: [{ name: 'topic', type: 'text', summary: 'A topic', required: false }],
    },
    {
      name: 'find',
      summary: 'Search the library',
      moderatorOnly: false,
      options: [{ name: 'words', type: 'text', summary: 'Words to look for', required: true, rest: true }],
    },
    {
      name: 'digest',
      summary: 'A weekly private digest of new items',
      moderatorOnly: false,
      options: [
        { name: 'state', type: 'choice', choices: ['on', 'off'], summary: 'On or off', required: true },
      ],
    },
    {
      name: 'content',
      summary: 'The content library',
      commands: [
        {
          name: 'add',
          summary: 'Add an item (a form)',
          moderatorOnly: true,
          communityOnly: true,
          options: [],
        },
        {
          name: 'edit',
          summary: 'Change a field of an item',
          moderatorOnly: true,
          communityOnly: true,
          options: [
            {
              name: 'id',
              type: 'text',
              summary: 'Item id',
              required: true,
            },
            {
              name: 'field',
              type: 'choice',
              choices: EDITABLE_FIELDS,
              summary: 'Field',
              required: true,
            },
            {
              name: 'value',
              type: 'text',
              summary: 'New value',
              required: true,
              rest: true,
            },
          ],
        },
        {
          name: 'retire',
          summary: 'Stop showing an item',
          moderatorOnly: true,
          communityOnly: true,
          options: [{ name: 'id', type: 'text', summary: 'Item id', required: true }],
        },
        {
          name: 'list',
          summary: 'List the items',
          moderatorOnly: true,
          options: [{ name: 'topic', type: 'text', summary: 'A topic', required: false }],
        },
        {
          name: 'suggest',
          summary: 'Suggest an item (a form)',
          moderatorOnly: false,
          options: [],
        },
        {
          name: 'queue',
          summary: 'Review suggestions',
          moderatorOnly: true,
          communityOnly: true,
          options: [],
        },
        {
          name: 'stats',
          summary: 'Feedback per item and channel',
          moderatorOnly: true,
          options: [],
        },
      ],
    },
    {
      name: 'topics',
      summary: 'Library topics',
      bare: 'show',
      commands: [
        { name: 'show', summary: 'Show the topics', moderatorOnly: false, options: [] },
        {
          name: 'add',
          summary: 'Add a topic',
          moderatorOnly: true,
          communityOnly: true,
          options: [{ name: 'topic', type: 'text', summary: 'a-z, 0-9 and -', required: true }],
        },
        {
          name: 'remove',
          summary: 'Remove an unused topic',
          moderatorOnly: true,
          communityOnly: true,
          options: [{ name: 'topic', type: 'text', summary: 'Topic', required: true }],
        },
      ],
    },
    {
      name: 'schedule',
      summary: 'Scheduled posts in a channel',
      bare: 'show',
      commands: [
        {
          name: 'set',
          summary: 'Post items here on a cadence',
          moderatorOnly: true,
          options: [
            {
              name: 'days',
              type: 'text',
              summary: 'mon,thu / weekdays / daily',
              required: true,
            },
            { name: 'time', type: 'text', summary: 'HH:MM, community time', required: true },
            {
              name: 'topics',
              type: 'text',
              summary: 'Only these topics',
              required: false,
              rest: true,
            },
          ],
        },
        { name: 'show', summary: 'Schedules and pace', moderatorOnly: true, options: [] },
        { name: 'off', summary: 'Stop posts here', moderatorOnly: true, options: [] },
      ],
    },
  ],
  commandHandlers: {
    ...authoringParts.commandHandlers,
    ...pullParts.commandHandlers,
    ...scheduleParts.commandHandlers,
  },
  buttonHandlers: { ...authoringParts.buttonHandlers, ...pullParts.buttonHandlers },
  formHandlers: { ...authoringParts.formHandlers, ...pullParts.formHandlers },
  memberData: contentMemberData,
};
