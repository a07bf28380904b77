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

  /** Sends in the last week against `key` (cached: {@link noteSpend} keeps it current). */
  spends(key: BudgetKey, now: Date): Promise<Spend[]> {
    const name = budgetKeyName(key);
    let spends = this.spendCache.get(name);
    if (!spends) {
      spends = this.deps.attention.spends(key, new Date(now.getTime() - WEEK_MS));
      this.spendCache.set(name, spends);
    }
    return spends;
  }

  /** Counts a send against `key`: stored (idempotent per message) and kept in the cached view. */
  async spend(key: BudgetKey, spend: Spend, now: Date): Promise<void> {
    const spends = await this.spends(key, now);
    if (spends.some((one) => one.messageId === spend.messageId)) return;
    await this.deps.attention.spend(key, spend);
    spends.push(spend);
  }

  /** Forgets everything read, so the next look reads it again (a long run sees settings change). */
  refresh(): void {
    this.settingsCache.clear();
    this.mutedChannels.clear();
    this.spendCache.clear();
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
