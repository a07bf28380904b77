/**
 * Every feature the bot has, in the order `help` lists their commands. A new feature is one module in
 * its own folder, added here; the table, Discord's registration and `help` follow from it.
 */
import { announceFeature } from './announce/feature.js';
import { attentionFeature } from './attention/feature.js';
import type { ResolvedCommand, TableEntry } from './command-table.js';
import { listCommands } from './command-table.js';
import { communitiesFeature } from './communities/feature.js';
import { contentFeature } from './content/feature.js';
import type { ButtonPressed, FormSubmitted } from './events.js';
import type { CommandTurn, Feature, Handler, MemberDataKind, Turn } from './feature.js';
import { feedbackFeature } from './feedback/feedback.js';
import { helpFeature } from './help/help.js';
import { withIntro } from './home/intro.js';
import { membersFeature } from './members/feature.js';
import { statsFeature } from './stats/stats.js';
import { welcomeFeature } from './welcome/feature.js';

export const FEATURES: readonly Feature[] = [
  // `help` in a private chat introduces the bot (how to link this account); elsewhere it is help itself.
  withIntro(helpFeature),
  feedbackFeature,
  statsFeature,
  communitiesFeature,
  membersFeature,
  attentionFeature,
  welcomeFeature,
  announceFeature,
  contentFeature,
];

/** The command table: every feature's entries. */
export const COMMAND_TABLE: readonly TableEntry[] = FEATURES.flatMap((feature) => feature.commands);

/** Handlers by key, built once; a duplicate or missing registration fails at start, naming it. */
export interface FeatureRegistry {
  readonly table: readonly TableEntry[];
  readonly commands: ReadonlyMap<string, Handler<CommandTurn>>;
  readonly buttons: ReadonlyMap<string, Handler<Turn<ButtonPressed>>>;
  readonly forms: ReadonlyMap<string, Handler<Turn<FormSubmitted>>>;
  /** Every feature's kinds of member items, in feature order. */
  readonly memberData: readonly MemberDataKind[];
}

export function featureRegistry(features: readonly Feature[]): FeatureRegistry {
  const table = features.flatMap((feature) => feature.commands);
  const commands = collect(
    features.map((feature) => feature.commandHandlers),
    'command',
  );
  const missing = listCommands(table).filter((command: ResolvedCommand) => !commands.has(command.path));
  if (missing.length > 0) {
    throw new Error(`Commands without a handler: ${missing.map((command) => command.path).join(', ')}`);
  }
  return {
    table,
    commands,
    buttons: collect(
      features.map((feature) => feature.buttonHandlers ?? {}),
      'button',
    ),
    forms: collect(
      features.map((feature) => feature.formHandlers ?? {}),
      'form',
    ),
    memberData: features.flatMap((feature) => feature.memberData ?? []),
  };
}

function collect<T>(maps: readonly Readonly<Record<string, T>>[], what: string): Map<string, T> {
  const all = new Map<string, T>();
  for (const map of maps) {
    for (const [key, handler] of Object.entries(map)) {
      if (all.has(key)) throw new Error(`Two ${what} handlers for ${key}`);
      all.set(key, handler);
    }
  }
  return all;
}
