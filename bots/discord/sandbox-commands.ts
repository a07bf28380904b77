/**
 * TEST ONLY. What Discord checks when an application's commands are registered (PUT
 * /applications/{id}/commands), as its docs state the limits, so a command table Discord would refuse
 * fails in the tests and the sandbox instead of in production. Refusals use Discord's shape: 400, code
 * 50035 "Invalid Form Body", an `errors` object whose keys follow the path to each bad field.
 *
 * Limits (Discord Developer Docs, Application Commands): at most 100 chat input commands; names
 * 1-32 characters of `^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]$`, lower case where a letter has a lower case;
 * descriptions 1-100 characters; at most 25 options per level and 25 choices; a subcommand group holds
 * only subcommands, a subcommand no subcommands or groups, and a level is either all subcommands/groups or
 * none; required options before optional ones; names unique per level; and at most 4000 characters per
 * command across names, descriptions and choice names and values.
 */

/** Discord's field error: a code and a message, under `_errors` at the path of the field. */
interface FieldError {
  readonly code: string;
  readonly message: string;
}

type ErrorTree = { _errors?: FieldError[]; [key: string]: ErrorTree | FieldError[] | undefined };

export const MAX_COMMANDS = 100;
export const MAX_OPTIONS = 25;
export const MAX_CHOICES = 25;
export const MAX_COMMAND_SIZE = 4000;
const NAME = /^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const SUBCOMMAND = 1;
const SUBCOMMAND_GROUP = 2;
const STRING = 3;
const CHOICE_TYPES = new Set([STRING, 4, 10]);

type Json = Readonly<Record<string, unknown>>;

/** Discord's 400 body for a registration it refuses, or `undefined` when it would accept it. */
export function commandRegistrationErrors(payload: unknown): Json | undefined {
  const errors: ErrorTree = {};
  const fail = (path: readonly (string | number)[], code: string, message: string) => {
    let node = errors;
    for (const key of path) {
      const next: ErrorTree = (node[String(key)] as ErrorTree | undefined) ?? {};
      node[String(key)] = next;
      node = next;
    }
    node._errors = [...(node._errors ?? []), { code, message }];
  };
  if (!Array.isArray(payload)) {
    fail([], 'LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType');
  } else {
    if (payload.length > MAX_COMMANDS) {
      fail([], 'BASE_TYPE_MAX_LENGTH', `Must be ${MAX_COMMANDS} or fewer in length.`);
    }
    payload.forEach((command, index) => {
      checkCommand(command as Json, [index], fail);
    });
  }
  return Object.keys(errors).length === 0 ? undefined : { code: 50035, errors, message: 'Invalid Form Body' };
}

type Fail = (path: readonly (string | number)[], code: string, message: string) => void;

function checkCommand(command: Json, path: readonly (string | number)[], fail: Fail): void {
  checkNamed(command, path, fail);
  const options = (command.options ?? []) as Json[];
  checkLevel(options, [...path, 'options'], 'command', fail);
  if (commandSize(command) > MAX_COMMAND_SIZE) {
    fail(path, 'APPLICATION_COMMAND_TOO_LARGE', `Command exceeds maximum size (${MAX_COMMAND_SIZE})`);
  }
}

function checkNamed(entry: Json, path: readonly (string | number)[], fail: Fail): void {
  const { name, description } = entry;
  if (typeof name !== 'string' || !NAME.test(name) || name !== name.toLowerCase()) {
    fail([...path, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
  }
  if (typeof description !== 'string' || description.length < 1 || description.length > 100) {
    fail([...path, 'description'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
  }
}

/** One level of options: of a command, a subcommand group, or a subcommand. */
function checkLevel(
  options: readonly Json[],
  path: readonly (string | number)[],
  holder: 'command' | 'group' | 'subcommand',
  fail: Fail,
): void {
  if (options.length > MAX_OPTIONS) {
    fail(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${MAX_OPTIONS} or fewer in length.`);
  }
  const nested = options.filter((option) => option.type === SUBCOMMAND || option.type === SUBCOMMAND_GROUP);
  if (nested.length > 0 && nested.length < options.length) {
    fail(
      path,
      'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
      'Sub-command and sub-command group option types are mutually exclusive to all other types',
    );
  }
  const names = new Set<unknown>();
  let optionalSeen = false;
  options.forEach((option, index) => {
    const at = [...path, index];
    checkNamed(option, at, fail);
    if (names.has(option.name)) {
      fail([...at, 'name'], 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS', 'Option names must be unique');
    }
    names.add(option.name);
    if (option.type === SUBCOMMAND_GROUP && holder !== 'command') {
      fail(
        [...at, 'type'],
        'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
        'Sub-command groups must be top-level options',
      );
    }
    if (option.type === SUBCOMMAND && holder === 'subcommand') {
      fail(
        [...at, 'type'],
        'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
        'Sub-commands cannot hold sub-commands',
      );
    }
    if (holder === 'group' && option.type !== SUBCOMMAND) {
      fail(
        [...at, 'type'],
        'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
        'Sub-command groups hold only sub-commands',
      );
    }
    const children = (option.options ?? []) as Json[];
    if (option.type === SUBCOMMAND_GROUP) checkLevel(children, [...at, 'options'], 'group', fail);
    else if (option.type === SUBCOMMAND) checkLevel(children, [...at, 'options'], 'subcommand', fail);
    else {
      if (option.required === true && optionalSeen) {
        fail(
          [...at, 'required'],
          'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
          'Required options must be placed before non-required options',
        );
      }
      optionalSeen ||= option.required !== true;
      checkChoices(option, at, fail);
    }
  });
}

function checkChoices(option: Json, path: readonly (string | number)[], fail: Fail): void {
  const choices = option.choices as Json[] | undefined;
  if (choices === undefined) return;
  if (!CHOICE_TYPES.has(option.type as number)) {
    fail(
      [...path, 'choices'],
      'APPLICATION_COMMAND_OPTION_CHOICES_NOT_ALLOWED',
      'Choices are not allowed for this option type',
    );
  }
  if (choices.length > MAX_CHOICES) {
    fail([...path, 'choices'], 'BASE_TYPE_MAX_LENGTH', `Must be ${MAX_CHOICES} or fewer in length.`);
  }
  choices.forEach((choice, index) => {
    const { name, value } = choice;
    if (typeof name !== 'string' || name.length < 1 || name.length > 100) {
      fail(
        [...path, 'choices', index, 'name'],
        'BASE_TYPE_BAD_LENGTH',
        'Must be between 1 and 100 in length.',
      );
    }
    if (typeof value === 'string' && value.length > 100) {
      fail([...path, 'choices', index, 'value'], 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.');
    }
  });
}

/** Characters Discord counts towards a command's 4000: names, descriptions, choice names and values. */
export function commandSize(entry: Json): number {
  const own = String(entry.name ?? '').length + String(entry.description ?? '').length;
  const choices = ((entry.choices ?? []) as Json[]).reduce(
    (sum, choice) => sum + String(choice.name ?? '').length + String(choice.value ?? '').length,
    0,
  );
  const children = ((entry.options ?? []) as Json[]).reduce((sum, option) => sum + commandSize(option), 0);
  return own + choices + children;
}
