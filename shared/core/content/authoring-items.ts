/**
 * Moderators' items: `content add` (a form), `content edit <id> <field> <value>`, `content retire <id>`.
 * Every change is checked whole before anything is written (validate.ts), and written in one conditional
 * save: a new item only where its id is free, a change only where nobody changed the item meanwhile.
 */
import type { SpaceRecord } from '../communities/model.js';
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

/** Who a submitted item is from and where it starts (live for a moderator, pending review for a member). */
export type Submitter = Pick<ContentItem, 'author' | 'status' | 'review'>;

/**
 * A submitted add or suggest form, written as a new item: the item, or the answer naming every problem
 * (`nothing`: "Nothing was added:"; nothing is written) or a chance id collision. A redelivery of the
 * submission derives the same id and finds it: the stored item, when it is this one, counts as written;
 * another item under the id is never overwritten.
 */
export async function addSubmitted(
  turn: Turn<FormSubmitted>,
  space: SpaceRecord,
  form: { readonly command: string; readonly nothing: string; readonly promotional: boolean },
  submitter: () => Promise<Submitter>,
): Promise<ContentItem | Outcome> {
  const { content } = turn.services.stores;
  const meta = await content.meta(space.communityId);
  const check = checkDraft(draftOf(turn.event.values, form.promotional), meta.topics);
  if (!check.ok) {
    return answer(
      `${describeProblems(`${form.nothing}:`, check.problems)}\nRun ${commandText(form.command)} again.`,
    );
  }
  const at = turn.now.toISOString();
  const item: ContentItem = {
    communityId: space.communityId,
    id: itemId(space.communityId, turn.event.id),
    ...check.item,
    ...(await submitter()),
    createdAt: at,
    updatedAt: at,
    counts: NO_COUNTS,
  };
  if ((await content.save(item, { kind: 'new' })) === 'written') return item;
  const found = await content.get(item.communityId, item.id);
  if (found && found.title === item.title && found.body === item.body) return found;
  return answer(`That id was taken by chance: ${form.nothing.toLowerCase()}. Please try again.`);
}

/** Whether {@link addSubmitted} wrote the item (rather than answering why not). */
export function isItem(added: ContentItem | Outcome): added is ContentItem {
  return 'communityId' in added;
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
  const { services, event } = turn;
  const added = await addSubmitted(
    turn,
    space,
    { command: 'content add', nothing: 'Nothing was added', promotional: true },
    async () => ({
      author: {
        kind: 'moderator',
        person: await personOf(services, space.communityId, event.location.space, event.member),
      },
      status: 'live',
    }),
  );
  if (!isItem(added)) return added;
  return { kind: 'answer', message: withHeading(`Added \`${added.id}\` to the library:`, added) };
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
