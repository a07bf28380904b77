/**
 * Gathers what the policy needs about a message (settings, mutes, opt-outs, past sends), reading each thing
 * once per worker run: the worker is the only one that sends, so within a run its own record of sends is
 * current.
 */
import type { MemberStore } from '../members/model.js';
import type { ChannelTarget } from '../messenger.js';
import type { AttentionSettings, AttentionStore, BudgetKey, OutboxMessage, Spend } from './model.js';
import type { Situation } from './policy.js';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** The budget a message spends from; none for a reply to the member's own action. */
export function budgetKeyOf(
  message: Pick<OutboxMessage, 'audience' | 'allowance' | 'communityId'>,
): BudgetKey | undefined {
  const { audience, allowance } = message;
  if (allowance.kind === 'reply') return undefined;
  if (audience.kind === 'channel') {
    return { kind: 'channel', space: audience.target.space, channelId: audience.target.channelId };
  }
  return {
    kind: 'person',
    communityId: message.communityId,
    person: audience.person,
    topic: allowance.kind === 'subscribed' ? allowance.topic : 'unsolicited',
  };
}

export function budgetKeyName(key: BudgetKey): string {
  return key.kind === 'person'
    ? `person:${key.communityId}:${key.person}:${key.topic}`
    : `${key.kind}:${key.space.platform}:${key.space.id}:${key.channelId}`;
}

export interface SituationDeps {
  readonly attention: AttentionStore;
  readonly members: MemberStore;
}

/** Reads situations, caching settings, channels and spends for as long as it lives (one worker run). */
export class SituationReader {
  private readonly settingsCache = new Map<string, Promise<AttentionSettings>>();
  private readonly mutedChannels = new Map<string, Promise<boolean>>();
  private readonly spendCache = new Map<string, Promise<Spend[]>>();
  /** The spends read so far, for counting a send without waiting (see {@link spend}). */
  private readonly spendsRead = new Map<string, Spend[]>();

  constructor(private readonly deps: SituationDeps) {}

  settings(communityId: string): Promise<AttentionSettings> {
    let settings = this.settingsCache.get(communityId);
    if (!settings) {
      settings = this.deps.attention.settings(communityId);
      this.settingsCache.set(communityId, settings);
    }
    return settings;
  }

  async situation(message: OutboxMessage, now: Date): Promise<Situation> {
    const key = budgetKeyOf(message);
    const [settings, blocked, found] = await Promise.all([
      this.settings(message.communityId),
      this.blocked(message),
      key ? this.spends(key, now) : Promise.resolve([]),
    ]);
    // A message tried before already counted itself: it must not be held by its own send.
    const spends = found.filter((spend) => spend.messageId !== message.id).map((spend) => spend.at);
    return blocked ? { settings, blocked, spends } : { settings, spends };
  }

  /** Sends in the last week against `key` (cached: {@link spend} keeps it current). */
  spends(key: BudgetKey, now: Date): Promise<Spend[]> {
    const name = budgetKeyName(key);
    let spends = this.spendCache.get(name);
    if (!spends) {
      const reading = this.deps.attention.spends(key, new Date(now.getTime() - WEEK_MS)).then((read) => {
        // Unless a refresh started another read meanwhile.
        if (this.spendCache.get(name) === reading) this.spendsRead.set(name, read);
        return read;
      });
      spends = reading;
      this.spendCache.set(name, spends);
    }
    return spends;
  }

  /** Reads what {@link situation} will need of `message` that is kept for the run (so several load at once). */
  async warm(message: OutboxMessage, now: Date): Promise<void> {
    const key = budgetKeyOf(message);
    const { audience } = message;
    await Promise.all([
      this.settings(message.communityId),
      audience.kind === 'channel' ? this.channelMuted(audience.target) : undefined,
      key ? this.spends(key, now) : undefined,
    ]);
  }

  /**
   * Counts a send against `key` (idempotent per message). When the spends were read already, the cached view
   * counts it at once, before this returns, so the next decision sees it; the returned promise is the write.
   */
  spend(key: BudgetKey, spend: Spend, now: Date): Promise<void> {
    const read = this.spendsRead.get(budgetKeyName(key));
    if (!read) return this.spends(key, now).then(() => this.spend(key, spend, now));
    if (read.some((one) => one.messageId === spend.messageId)) return Promise.resolve();
    read.push(spend);
    return this.deps.attention.spend(key, spend);
  }

  /** Forgets everything read, so the next look reads it again (a long run sees settings change). */
  refresh(): void {
    this.settingsCache.clear();
    this.mutedChannels.clear();
    this.spendCache.clear();
    this.spendsRead.clear();
  }

  private async blocked(message: OutboxMessage): Promise<string | undefined> {
    const { audience } = message;
    if (audience.kind === 'channel') {
      return (await this.channelMuted(audience.target)) ? 'the channel is muted' : undefined;
    }
    const [privacy, muted] = await Promise.all([
      this.deps.members.privacy([audience.privacyKey]),
      this.deps.attention.mutedMembers(message.communityId, [audience.memberId]),
    ]);
    const state = privacy.get(audience.privacyKey);
    if (state?.optedOut) return 'the member opted out';
    if (muted.has(audience.memberId)) return 'the member muted the bot';
    return undefined;
  }

  private channelMuted(target: ChannelTarget): Promise<boolean> {
    const name = `${target.space.platform}:${target.space.id}:${target.channelId}`;
    let muted = this.mutedChannels.get(name);
    if (!muted) {
      muted = this.deps.attention.channel(target.space, target.channelId).then((channel) => channel.muted);
      this.mutedChannels.set(name, muted);
    }
    return muted;
  }
}
