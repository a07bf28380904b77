/**
 * How `/community` text reads against the real command table (shared/core/features.ts), one case per row.
 * The grammar is one declaration, so these rows run through every platform that reads typed text (Slack,
 * Telegram) and must mean the same thing on each. Expected values are written out, not derived.
 */
export interface GrammarCase {
  readonly text: string;
  /** The subcommand it runs (`help`, `feedback`, `stats`), or undefined when the text is refused. */
  readonly path?: string;
  /** The option values it carries. */
  readonly values?: Readonly<Record<string, string>>;
  /** Part of the refusal the member reads, when the text is refused. */
  readonly problem?: string;
}

export const GRAMMAR_CASES: readonly GrammarCase[] = [
  { text: '', path: 'help', values: {} },
  { text: 'help', path: 'help', values: {} },
  { text: 'HELP', path: 'help', values: {} },
  { text: 'feedback the new editor is great', path: 'feedback', values: { note: 'the new editor is great' } },
  { text: 'feedback "quoted"   spacing kept', path: 'feedback', values: { note: '"quoted"   spacing kept' } },
  { text: 'Feedback   leading spaces', path: 'feedback', values: { note: 'leading spaces' } },
  { text: 'stats', path: 'stats', values: {} },
  { text: 'stats please', problem: 'Too many words' },
  { text: 'help me', problem: 'Too many words' },
  { text: 'nonsense', problem: 'Unknown subcommand `nonsense`' },
  { text: '"stats"', path: 'stats', values: {} },
];
