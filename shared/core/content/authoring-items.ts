/**
 * Moderators' items: `content add` (a form), `content edit <id> <field> <value>`, `content retire <id>`.
 * Every change is checked whole before anything is written (validate.ts), and written in one conditional
 * save: a new item only where its id is free, a change only where nobody changed the item meanwhile.
 */
import type { FormSubmitted } from '../events.js';
import { answer, type CommandTurn, type Handler, type Outcome, type Turn } from '../feature.js';
import type { Form, OutboundMessage } from '../messenger.js';
import {
  commandText,
  isSpace,
  itemFields,
  librarySpace,
  personOf,
  readItemId,
  unknownItem,
} from './authoring-common.js';
import { EDITABLE_FIELDS, type EditableField } from './feature.js';
import { itemId } from './ids.js';
import { type ContentItem, type ContentStore, NO_COUNTS } from './model.js';
import { itemText } from './render.js';
import { type CheckedItem, checkDraft, describeProblems, type ItemDraft, SKIP_WORDS } from './validate.js';

/** The form `content add` opens; its submission is handled under the same id. */
export const ADD_FORM_ID = 'content.add';

async function openAddForm(turn: CommandTurn): Promise<Outcome> {
  const space = librarySpace(turn, 'content add');
  if (!isSpace(space)) return space;
  const { topics } = await turn.services.stores.content.meta(space.communityId);
  const form: Form = {
    formId: ADD_FORM_ID,
    title: 'Add to the library',
    submitLabel: 'Add',
    fields: itemFields(topics, true),
  };
  return { kind: 'form', form };
}

/** The kind field as typed: `guide, promotional` is a guide that promotes an offer. */
export function readKindField(text: string | undefined): { kind?: string; promotional: boolean } {
  const words = (text ?? '')
    .split(',')
    .map((word) => word.trim())
    .filter((word) => word && !SKIP_WORDS.has(word.toLowerCase()));
  const promotional = words.some((word) => word.toLowerCase() === 'promotional');
  const kind = words.filter((word) => word.toLowerCase() !== 'promotional').join(', ');
  return kind ? { kind, promotional } : { promotional };
}

/** A form's values as a draft (the kind field may carry `promotional` when `promotional` is allowed). */
export function draftOf(values: Readonly<Record<string, string>>, promotional: boolean): ItemDraft {
  const kind = promotional ? readKindField(values.kind) : { kind: values.kind, promotional: false };
  return {
    title: values.title ?? '',
    body: values.body ?? '',
    topics: values.topics ?? '',
    ...(kind.kind !== undefined ? { kind: kind.kind } : {}),
    link: values.link ?? '',
    promotional: kind.promotional,
  };
}

/** What saving a new item came to: written now, written by an earlier delivery, or its id taken. */
export type NewItemResult =
  | { readonly kind: 'written'; readonly item: ContentItem }
  | { readonly kind: 'taken' };

/**
 * Saves a new item. A redelivery of the submission derives the same id and finds it `exists`: the stored
 * item, when it is this one, is confirmed as written. Another item under the id (a chance collision) is
 * never overwritten.
 */
export async function saveNewItem(store: ContentStore, item: ContentItem): Promise<NewItemResult> {
  if ((await store.save(item, { kind: 'new' })) === 'written') return { kind: 'written', item };
  const found = await store.get(item.communityId, item.id);
  const same = found?.title === item.title && found.body === item.body;
  return found && same ? { kind: 'written', item: found } : { kind: 'taken' };
}

/** The refusal for a form whose submitter may not add items. */
function notAModerator(turn: Turn): Outcome {
  return answer(
    `Only this community's moderators add items to its library (on ${turn.event.location.space.platform}: ` +
      `${turn.services.moderatorRule}). ${commandText('content suggest')} sends them a suggestion.`,
  );
}

async function submitAdd(turn: Turn<FormSubmitted>): Promise<Outcome> {
  const space = librarySpace(turn, 'content add');
  if (!isSpace(space)) return space;
  // The submission is a request of its own: the rights the form was opened with are asked again.
  if (!(await turn.isCommunityModerator())) return notAModerator(turn);
  const { services, event, now } = turn;
  const { content } = services.stores;
  const meta = await content.meta(space.communityId);
  const check = checkDraft(draftOf(event.values, true), meta.topics);
  if (!check.ok) {
    return answer(
      `${describeProblems('Nothing was added:', check.problems)}\nRun ${commandText('content add')} again.`,
    );
  }
  const at = now.toISOString();
  const item: ContentItem = {
    communityId: space.communityId,
    id: itemId(space.communityId, event.id),
    ...check.item,
    author: {
      kind: 'moderator',
      person: await personOf(services, space.communityId, event.location.space, event.member),
    },
    status: 'live',
    createdAt: at,
    updatedAt: at,
    counts: NO_COUNTS,
  };
  const saved = await saveNewItem(content, item);
  if (saved.kind === 'taken')
    return answer('That id was taken by chance: nothing was added. Please try again.');
  return { kind: 'answer', message: withHeading(`Added \`${saved.item.id}\` to the library:`, saved.item) };
}

/** A heading above an item as it reads. */
export function withHeading(heading: string, item: ContentItem): OutboundMessage {
  const shown = itemText(item);
  return { ...shown, text: `${heading}\n${shown.text}` };
}

const STATUSES = ['draft', 'live', 'retired'] as const;
const YES = new Set(['yes', 'y', 'true', 'on']);
const NO = new Set(['no', 'n', 'false', 'off']);

/** An edit, applied: the whole item checked, or every problem. */
type Edited =
  | { readonly ok: true; readonly item: ContentItem }
  | { readonly ok: false; readonly problems: string[] };

/** The item's editable fields as a draft, for checking the whole item after one change. */
function draftFrom(item: ContentItem): ItemDraft {
  return {
    title: item.title,
    body: item.body,
    topics: item.topics,
    kind: item.kind,
    ...(item.link ? { link: item.link } : {}),
    language: item.language,
    promotional: item.promotional,
  };
}

/** Reads one field's new value into the item (status and promotional here, the rest through checkDraft). */
function applyEdit(
  item: ContentItem,
  field: EditableField,
  value: string,
  topics: readonly string[],
): Edited {
  let status = item.status;
  const draft: { -readonly [K in keyof ItemDraft]: ItemDraft[K] } = draftFrom(item);
  const lower = value.toLowerCase();
  if (field === 'status') {
    const read = STATUSES.find((one) => one === lower);
    if (!read)
      return { ok: false, problems: [`The status \`${value}\` is not one of draft, live or retired.`] };
    if (item.review?.state === 'pending') {
      return {
        ok: false,
        problems: [
          `\`${item.id}\` is a suggestion waiting for review: approve or reject it in ${commandText('content queue')}.`,
        ],
      };
    }
    status = read;
  } else if (field === 'promotional') {
    if (!YES.has(lower) && !NO.has(lower)) {
      return { ok: false, problems: [`Promotional reads \`yes\` or \`no\`, not \`${value}\`.`] };
    }
    draft.promotional = YES.has(lower);
  } else {
    draft[field] = value;
  }
  // Topics removed from the list since the item got them stay valid on it, unless the topics are edited.
  const known = field === 'topics' ? topics : [...new Set([...topics, ...item.topics])];
  const check = checkDraft(draft, known);
  if (!check.ok) return { ok: false, problems: [...check.problems] };
  return { ok: true, item: rebuilt(item, check.item, status) };
}

function rebuilt(item: ContentItem, fields: CheckedItem, status: ContentItem['status']): ContentItem {
  const { link: _dropped, ...rest } = item;
  return { ...rest, ...fields, status };
}

/** What `edit` compares to say "nothing changed". */
function editable(item: ContentItem): string {
  const { title, body, topics, kind, link, language, promotional, status } = item;
  return JSON.stringify([title, body, topics, kind, link ?? '', language, promotional, status]);
}

async function editItem(turn: CommandTurn): Promise<Outcome> {
  const space = librarySpace(turn, 'content edit');
  if (!isSpace(space)) return space;
  const { content } = turn.services.stores;
  const id = readItemId(turn.values.id);
  const item = id ? await content.get(space.communityId, id) : undefined;
  if (!item) return unknownItem(String(turn.values.id ?? ''));
  const field = EDITABLE_FIELDS.find((one) => one === turn.values.field);
  if (!field) return answer(`Edit one of: ${EDITABLE_FIELDS.join(', ')}.`);
  const meta = await content.meta(space.communityId);
  const edited = applyEdit(item, field, String(turn.values.value ?? '').trim(), meta.topics);
  if (!edited.ok) {
    return answer(describeProblems(`Nothing was changed in \`${item.id}\`:`, edited.problems));
  }
  if (editable(edited.item) === editable(item)) {
    return answer(`\`${item.id}\` already reads that way: nothing changed.`);
  }
  return replaceItem(turn, content, item, edited.item, `Changed the ${field} of \`${item.id}\`:`);
}

/** Saves a changed item unless someone changed it meanwhile; answers with how it reads now. */
async function replaceItem(
  turn: CommandTurn,
  content: ContentStore,
  before: ContentItem,
  after: ContentItem,
  heading: string,
): Promise<Outcome> {
  const item = { ...after, updatedAt: turn.now.toISOString() };
  const saved = await content.save(item, { kind: 'replace', expectedUpdatedAt: before.updatedAt });
  if (saved !== 'written') {
    return answer(
      `Someone else changed \`${before.id}\` at the same moment: nothing was changed. Look again and retry.`,
    );
  }
  return { kind: 'answer', message: withHeading(heading, item) };
}

async function retireItem(turn: CommandTurn): Promise<Outcome> {
  const space = librarySpace(turn, 'content retire');
  if (!isSpace(space)) return space;
  const { content } = turn.services.stores;
  const id = readItemId(turn.values.id);
  const item = id ? await content.get(space.communityId, id) : undefined;
  if (!item) return unknownItem(String(turn.values.id ?? ''));
  if (item.status === 'retired') return answer(`\`${item.id}\` is already retired: nothing changed.`);
  if (item.review?.state === 'pending') {
    return answer(
      `\`${item.id}\` is a suggestion waiting for review: reject it in ${commandText('content queue')} ` +
        'so its author hears why. Nothing changed.',
    );
  }
  const retired = { ...item, status: 'retired' as const };
  return replaceItem(turn, content, item, retired, `Retired \`${item.id}\`: it is kept, never shown.`);
}

/** Moderators' item commands and the add form, by command path and form id. */
export const itemCommandHandlers: Readonly<Record<string, Handler<CommandTurn>>> = {
  'content add': { run: openAddForm },
  'content edit': { run: editItem },
  'content retire': { run: retireItem },
};

export const itemFormHandlers: Readonly<Record<string, Handler<Turn<FormSubmitted>>>> = {
  [ADD_FORM_ID]: { run: submitAdd },
};
