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
import { CONTENT_KINDS } from './model.js';
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

const KINDS = CONTENT_KINDS.join(', ');

export const contentFeature: Feature = {
  commands: [
    {
      name: 'tip',
      summary: "A useful piece you haven't seen yet, on a topic if you like",
      moderatorOnly: false,
      options: [
        { name: 'topic', type: 'text', summary: 'A topic (`/community topics` lists them)', required: false },
      ],
    },
    {
      name: 'find',
      summary: 'Search the library: the best 3 matches',
      moderatorOnly: false,
      options: [
        { name: 'words', type: 'text', summary: 'What you are looking for', required: true, rest: true },
      ],
    },
    {
      name: 'digest',
      summary: 'A private weekly digest of the best new items: on or off',
      moderatorOnly: false,
      options: [
        { name: 'state', type: 'choice', choices: ['on', 'off'], summary: 'on or off', required: true },
      ],
    },
    {
      name: 'content',
      summary: 'The library: add, edit, retire, list, suggest, review, stats',
      commands: [
        {
          name: 'add',
          summary: 'Add an item to the library (a form)',
          moderatorOnly: true,
          communityOnly: true,
          options: [],
        },
        {
          name: 'edit',
          summary: 'Change one field of an item',
          moderatorOnly: true,
          communityOnly: true,
          options: [
            {
              name: 'id',
              type: 'text',
              summary: 'The item id (`/community content list` shows them)',
              required: true,
            },
            {
              name: 'field',
              type: 'choice',
              choices: EDITABLE_FIELDS,
              summary: 'Which field',
              required: true,
            },
            {
              name: 'value',
              type: 'text',
              summary: `The new value (kind: ${KINDS})`,
              required: true,
              rest: true,
            },
          ],
        },
        {
          name: 'retire',
          summary: 'Stop showing an item (it stays in the library, retired)',
          moderatorOnly: true,
          communityOnly: true,
          options: [{ name: 'id', type: 'text', summary: 'The item id', required: true }],
        },
        {
          name: 'list',
          summary: 'The library, or one topic of it',
          moderatorOnly: true,
          options: [{ name: 'topic', type: 'text', summary: 'A topic', required: false }],
        },
        {
          name: 'suggest',
          summary: 'Suggest an item for the library (moderators review it)',
          moderatorOnly: false,
          options: [],
        },
        {
          name: 'queue',
          summary: 'Suggestions waiting for review, with Approve and Reject',
          moderatorOnly: true,
          communityOnly: true,
          options: [],
        },
        {
          name: 'stats',
          summary: 'Per item and per channel: shown, helpful, not for me, shared',
          moderatorOnly: true,
          options: [],
        },
      ],
    },
    {
      name: 'topics',
      summary: "The library's topics: show, add, remove",
      bare: 'show',
      commands: [
        { name: 'show', summary: "The library's topics", moderatorOnly: false, options: [] },
        {
          name: 'add',
          summary: 'Add a topic',
          moderatorOnly: true,
          communityOnly: true,
          options: [
            { name: 'topic', type: 'text', summary: 'Lower-case letters, digits and -', required: true },
          ],
        },
        {
          name: 'remove',
          summary: 'Remove a topic (only when no item uses it)',
          moderatorOnly: true,
          communityOnly: true,
          options: [{ name: 'topic', type: 'text', summary: 'The topic', required: true }],
        },
      ],
    },
    {
      name: 'schedule',
      summary: "This channel's posting cadence: set, show, off",
      bare: 'show',
      commands: [
        {
          name: 'set',
          summary: 'Post library items here on these days at this time',
          moderatorOnly: true,
          options: [
            {
              name: 'days',
              type: 'text',
              summary: 'Days, e.g. mon,thu or weekdays or daily',
              required: true,
            },
            { name: 'time', type: 'text', summary: "HH:MM in the community's time zone", required: true },
            {
              name: 'topics',
              type: 'text',
              summary: 'Only these topics (default: all)',
              required: false,
              rest: true,
            },
          ],
        },
        { name: 'show', summary: "This space's schedules and their pace", moderatorOnly: true, options: [] },
        { name: 'off', summary: 'Stop scheduled posts in this channel', moderatorOnly: true, options: [] },
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
