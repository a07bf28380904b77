/**
 * What the library's authoring handlers share: finding the library a turn acts on, naming a person by their
 * opaque id, and the words every refusal reuses.
 */
import { COMMAND_NAME } from '../command-table.js';
import type { SpaceRecord } from '../communities/model.js';
import type { Member, Space } from '../events.js';
import { answer, type CoreServices, type Outcome, type Turn } from '../feature.js';
import type { FormField } from '../messenger.js';
import { memberAudience } from '../outbox/audience.js';
import {
  BODY_MAX_LENGTH,
  CONTENT_KINDS,
  ITEM_ID_PATTERN,
  LINK_MAX_LENGTH,
  TITLE_MAX_LENGTH,
} from './model.js';

/** `/community <words>`, as commands are quoted in answers. */
export function commandText(words: string): string {
  return `\`/${COMMAND_NAME} ${words}\``;
}

/** The community space a turn acts in, or the refusal to give when it is a private chat or unknown. */
export function librarySpace(turn: Turn, words: string): SpaceRecord | Outcome {
  if (turn.event.location.direct || !turn.space) {
    return answer(`Send ${commandText(words)} in your community, so I know whose library you mean.`);
  }
  return turn.space;
}

/** Whether {@link librarySpace} found a space (rather than a refusal). */
export function isSpace(found: SpaceRecord | Outcome): found is SpaceRecord {
  return 'communityId' in found;
}

/**
 * The person behind a platform identity in a community: the smallest opaque id of their linked identities
 * (as the outbox names them). A member who opted out has no audience; they are still named, by the opaque
 * id of this identity, so what they wrote can be erased with them.
 */
export async function personOf(
  services: CoreServices,
  communityId: string,
  space: Space,
  member: Member,
): Promise<string> {
  const audience = await memberAudience(services, communityId, space, member);
  return audience?.person ?? (await services.pseudonyms()).memberId(member, 0);
}

/** An item id as typed (`ABC123 ` reads `abc123`); undefined when it cannot be one. */
export function readItemId(text: unknown): string | undefined {
  const id = typeof text === 'string' ? text.trim().toLowerCase() : '';
  return ITEM_ID_PATTERN.test(id) ? id : undefined;
}

/** The refusal for an id that names no item of this library. */
export function unknownItem(id: string): Outcome {
  return answer(
    `No item \`${id.slice(0, 40)}\` in this library (${commandText('content list')} shows the ids).`,
  );
}

/** "a, b and c" for lists in sentences, each in code quotes. */
export function quotedList(words: readonly string[]): string {
  const quoted = words.map((word) => `\`${word}\``);
  return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`;
}

/** The kinds, as the form's label lists them. */
const KIND_WORDS = `${CONTENT_KINDS.slice(0, -1).join(', ')} or ${CONTENT_KINDS.at(-1)}`;

/**
 * The fields of an item's form (`content add` and `content suggest`): at most 5 (Discord's modal limit).
 * Labels stay within 100 characters, the most Discord shows (a longer one is cut); a guided form
 * (Telegram) asks with the label alone, so the label says everything.
 */
export function itemFields(topics: readonly string[], promotional: boolean): FormField[] {
  const known = topics.length > 0 ? `from: ${topics.join(', ')}` : 'none yet: `-` for none';
  return [
    { id: 'title', label: 'Title', style: 'short', required: true, maxLength: TITLE_MAX_LENGTH },
    {
      id: 'body',
      label: `The piece itself: bite-sized, at most ${BODY_MAX_LENGTH.toLocaleString('en')} characters`,
      style: 'paragraph',
      required: true,
      // Longer than allowed, so an over-long body reaches the check and is answered with its length.
      maxLength: BODY_MAX_LENGTH + 500,
    },
    {
      id: 'topics',
      label: `Topics, comma separated (${known})`,
      style: 'short',
      required: topics.length > 0,
      maxLength: 200,
    },
    {
      id: 'kind',
      label: promotional
        ? `Kind: ${KIND_WORDS}; add ', promotional' if it promotes an offer`
        : `Kind: ${KIND_WORDS}`,
      style: 'short',
      required: true,
      maxLength: 60,
      placeholder: 'tip',
    },
    {
      id: 'link',
      label: 'Link (optional: https://…, or - for none)',
      style: 'short',
      required: false,
      maxLength: LINK_MAX_LENGTH,
    },
  ];
}
