/**
 * The library's topic list (`/community topics show|add|remove`): members read it, moderators keep it. A
 * topic still used by an item that is not retired cannot be removed: the refusal names those items.
 */
import { answer, type CommandTurn, type Handler, type Outcome } from '../feature.js';
import { commandText, isSpace, librarySpace, quotedList } from './authoring-common.js';
import { MAX_TOPICS, TOPIC_PATTERN } from './model.js';

/** How many items a refusal names before it counts the rest. */
const NAMED_ITEMS = 10;

async function showTopics(turn: CommandTurn): Promise<Outcome> {
  const space = librarySpace(turn, 'topics');
  if (!isSpace(space)) return space;
  const { topics } = await turn.services.stores.content.meta(space.communityId);
  if (topics.length === 0) {
    return answer(
      `The library has no topics yet. Moderators add one with ${commandText('topics add <topic>')}.`,
    );
  }
  return answer(
    `**Topics (${topics.length})**\n${topics.map((topic) => `\`${topic}\``).join(', ')}\n` +
      `_${commandText('tip <topic>')} brings one on a topic._`,
  );
}

/** A topic as typed: trimmed and lower-cased; the pattern decides the rest. */
function readTopic(turn: CommandTurn): string {
  const value = turn.values.topic;
  return typeof value === 'string' ? value.trim().toLowerCase() : '';
}

async function addTopic(turn: CommandTurn): Promise<Outcome> {
  const space = librarySpace(turn, 'topics add');
  if (!isSpace(space)) return space;
  const topic = readTopic(turn);
  if (!TOPIC_PATTERN.test(topic)) {
    return answer(
      `\`${topic.slice(0, 40)}\` is not a topic name: use up to 32 lower-case letters, digits and \`-\` ` +
        '(for example `onboarding` or `events-2027`). Nothing changed.',
    );
  }
  const { content } = turn.services.stores;
  const meta = await content.meta(space.communityId);
  if (meta.topics.includes(topic)) return answer(`\`${topic}\` is already a topic: nothing changed.`);
  if (meta.topics.length >= MAX_TOPICS) {
    return answer(
      `The library has ${meta.topics.length} topics, the most it keeps (${MAX_TOPICS}): remove one first ` +
        `(${commandText('topics remove <topic>')}). Nothing changed.`,
    );
  }
  const { changed } = await content.setTopic(space.communityId, topic, true);
  return answer(
    changed ? `Added the topic \`${topic}\`.` : `\`${topic}\` is already a topic: nothing changed.`,
  );
}

async function removeTopic(turn: CommandTurn): Promise<Outcome> {
  const space = librarySpace(turn, 'topics remove');
  if (!isSpace(space)) return space;
  const topic = readTopic(turn);
  const { content } = turn.services.stores;
  const meta = await content.meta(space.communityId);
  if (!meta.topics.includes(topic)) {
    const known = meta.topics.length > 0 ? `the topics are ${quotedList(meta.topics)}` : 'there are none yet';
    return answer(`\`${topic.slice(0, 40)}\` is not a topic (${known}): nothing changed.`);
  }
  const users = (await content.items(space.communityId)).filter(
    (item) => item.status !== 'retired' && item.topics.includes(topic),
  );
  if (users.length > 0) {
    const named = users.slice(0, NAMED_ITEMS).map((item) => `\`${item.id}\` ${item.title}`);
    const more = users.length > NAMED_ITEMS ? [`…and ${users.length - NAMED_ITEMS} more`] : [];
    return answer(
      [
        `\`${topic}\` is still used by ${users.length === 1 ? '1 item' : `${users.length} items`}: ` +
          `change their topics (${commandText('content edit <id> topics <topics>')}) or retire them first. ` +
          'Nothing changed.',
        ...named,
        ...more,
      ].join('\n'),
    );
  }
  const { changed } = await content.setTopic(space.communityId, topic, false);
  return answer(
    changed ? `Removed the topic \`${topic}\`.` : `\`${topic}\` was not a topic: nothing changed.`,
  );
}

/** The topic commands, by command path. */
export const topicHandlers: Readonly<Record<string, Handler<CommandTurn>>> = {
  'topics show': { run: showTopics },
  'topics add': { run: addTopic },
  'topics remove': { run: removeTopic },
};
